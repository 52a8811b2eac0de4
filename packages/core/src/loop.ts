import { performance } from 'node:perf_hooks';
import type { Backend, BackendFactory, RunModeKind } from './backend/contract.js';
import { Cqe, FIRST_BACKEND_OP, OpCode, opName, Sqe, SQE_OBJECTS } from './backend/layout.js';
import { detect, select } from './backend/registry.js';
import { CallbackAction, Completion } from './completion.js';
import { ECANCELED, ENOENT, XevUsageError } from './errors.js';
import { TimerQueue } from './internal/timer-queue.js';
import { validateOperation } from './internal/validate.js';

/** How long `run` keeps going: one non-blocking pass, until a callback ran, or until nothing is active. */
export type RunMode = 'no_wait' | 'once' | 'until_done';

/** Options for a new {@link Loop}. */
export interface LoopOptions {
  /** A backend name (`'io_uring'`, `'epoll'`, `'kqueue'`, `'portable'`, or a third-party one) or factory. */
  backend?: string | BackendFactory;
  /** `attached` (default): driven by Node's event loop. `blocking`: `runBlocking` waits in the kernel. */
  mode?: RunModeKind;
  /** Submission and completion queue depth; default 1024. */
  entries?: number;
  /** io_uring only: a kernel thread polls the submission queue. */
  sqpoll?: boolean;
}

const RUN_MODES: readonly RunMode[] = ['no_wait', 'once', 'until_done'];

/**
 * Ticks per attached wake-up: after libuv reports the backend ready, keep submitting and reaping while
 * work completes, up to this many passes, before yielding to libuv. DESIGN.md §8 measured ~15% on
 * ping-pong for this; 8 bounds the time Node's other handles wait.
 */
const MAX_TICKS_PER_WAKE = 8;

/**
 * The event loop: completions in, callbacks out, on one backend.
 *
 * Attached (the default in a Node program): the backend's kernel handle is watched by Node's own event
 * loop, so the loop makes progress whenever Node does, next to every other Node library; `run(mode)` returns
 * a promise that settles when the mode's condition holds. Blocking: `runBlocking(mode)` waits in the kernel
 * on this thread, for workers, command-line tools and the lowest latency.
 */
export class Loop {
  /** The backend instance this loop runs on. */
  readonly backend: Backend;
  /** `attached` or `blocking`. */
  readonly mode: RunModeKind;
  /** The factory the backend came from (its `notify` wakes async handles from other threads). */
  readonly backendFactory: BackendFactory;

  readonly #sq: Float64Array;
  readonly #objects: (ArrayBufferView | null)[];
  readonly #cq: Float64Array;
  readonly #sqEntries: number;
  readonly #cqEntries: number;
  #sqCount = 0;

  /** Active backend operations by slot; freed slots are reused. */
  readonly #slots: (Completion<any> | null)[] = [];
  readonly #freeSlots: number[] = [];
  readonly #timers = new TimerQueue();
  /** Completions added since the last tick (intrusive list through `_next`). */
  #submitHead: Completion<any> | null = null;
  #submitTail: Completion<any> | null = null;
  /** Completions the loop itself finished this tick (cancelled timers, cancel results). */
  #doneHead: Completion<any> | null = null;
  #doneTail: Completion<any> | null = null;
  /** Fires one expired timer (bound once: no closure per tick). */
  readonly #fireTimer = (c: Completion<any>): void => this.#complete(c, 0, 0);

  #active = 0;
  #backendActive = 0;
  #now = performance.now();
  #inTick = false;
  #callbacksRun = 0;
  #stopRequested = false;
  #closed = false;
  #pendingError: unknown = undefined;
  #hasPendingError = false;

  // Attached-mode driving state.
  #tickScheduled = false;
  /** The backend called onReady since the last enter. */
  #backendReady = false;
  #armedDeadline = Infinity;
  #referenced = false;
  #run: { mode: RunMode; callbacksAtStart: number; resolve: () => void; reject: (e: unknown) => void } | null = null;
  #blockingRun = false;

  /** @internal Cancellation of loop-level ops other than timers (thread-pool work), by opcode. */
  readonly _cancelHooks = new Map<number, (c: Completion<any>) => boolean>();

  constructor(options: LoopOptions = {}) {
    const mode = options.mode ?? 'attached';
    if (mode !== 'attached' && mode !== 'blocking') {
      throw new XevUsageError(`mode must be 'attached' or 'blocking', not ${JSON.stringify(mode)}`);
    }
    const entries = options.entries ?? 1024;
    if (!Number.isInteger(entries) || entries < 1 || entries > 65536) {
      throw new XevUsageError(`entries must be an integer from 1 to 65536, not ${String(entries)}`);
    }
    const factory =
      typeof options.backend === 'string'
        ? select(options.backend, 'the backend option')
        : (options.backend ?? detect());
    if (!factory.modes.includes(mode)) {
      throw new XevUsageError(`the ${factory.name} backend cannot run in ${mode} mode (it supports ${factory.modes.join(', ')})`);
    }
    this.mode = mode;
    this.backendFactory = factory;
    this.backend = factory.create({ entries, mode, ...(options.sqpoll ? { sqpoll: true } : {}) });
    this.#sqEntries = entries;
    this.#cqEntries = entries;
    this.#sq = new Float64Array(entries * Sqe.stride);
    this.#objects = new Array<ArrayBufferView | null>(entries * SQE_OBJECTS).fill(null);
    this.#cq = new Float64Array(entries * Cqe.stride);
    this.backend.init({
      sq: this.#sq,
      objects: this.#objects,
      cq: this.#cq,
      sqEntries: entries,
      cqEntries: entries,
    });
    if (mode === 'attached') this.backend.attach(() => this.#onReady());
  }

  /** The backend's name: `io_uring`, `epoll`, `kqueue`, `portable`, or a third-party name. */
  get backendName(): string {
    return this.backend.name;
  }

  /** How many completions are active (added and not yet called back). */
  get activeCount(): number {
    return this.#active;
  }

  /** The cached monotonic clock in milliseconds, refreshed once per tick. */
  now(): number {
    return this.#now;
  }

  /** Refreshes the cached clock. */
  updateNow(): void {
    this.#now = performance.now();
  }

  /** A fresh monotonic clock in nanoseconds. */
  nowNs(): number {
    return Number(process.hrtime.bigint());
  }

  /**
   * Adds a prepared completion. Nothing happens until the next tick. Throws an {@link XevUsageError},
   * leaving the loop untouched, if the completion is already active or its operation is malformed.
   */
  add(c: Completion<any>): void {
    if (!(c instanceof Completion)) throw new XevUsageError('loop.add() takes a Completion');
    if (this.#closed) throw new XevUsageError('the loop is closed');
    if (c._active) {
      throw new XevUsageError(
        `this completion is already active (op ${opName[c.op] ?? c.op}); wait for its callback, or cancel it, before adding it again`,
      );
    }
    validateOperation(c);
    // Differs from libxev: a timer measures from the moment it is armed, not from the cached clock.
    c._key = c.op === OpCode.timer ? Math.ceil(performance.now() + c.arg0) : -1;
    c._active = 1;
    c._next = null;
    this.#active++;
    if (this.#submitTail) this.#submitTail._next = c;
    else this.#submitHead = c;
    this.#submitTail = c;
    if (this.mode === 'attached' && !this.#inTick) this.#scheduleTick();
  }

  /**
   * Runs the loop. Attached mode: returns a promise that settles when `mode`'s condition holds —
   * `no_wait` after one pass, `once` after at least one callback ran, `until_done` when nothing is active
   * — or after `stop()`. It rejects with the first error a callback threw. Blocking mode: use
   * {@link runBlocking}.
   */
  run(mode: RunMode = 'until_done'): Promise<void> {
    this.#checkRun(mode);
    if (this.mode === 'blocking') {
      try {
        this.runBlocking(mode);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.#run) return Promise.reject(new XevUsageError('the loop is already running: await the first run() before calling run() again'));
    return new Promise<void>((resolve, reject) => {
      this.#stopRequested = false;
      this.#run = { mode, callbacksAtStart: this.#callbacksRun, resolve, reject };
      if (mode === 'no_wait') {
        this.#drive(0);
        return;
      }
      this.#scheduleTick();
    });
  }

  /**
   * Runs the loop on this thread, waiting in the kernel (blocking-mode loops only). Returns when `mode`'s
   * condition holds or after `stop()`; throws the first error a callback threw, once that tick finished.
   */
  runBlocking(mode: RunMode = 'until_done'): void {
    this.#checkRun(mode);
    if (this.mode !== 'blocking') {
      throw new XevUsageError("runBlocking() needs a loop created with { mode: 'blocking' }; attached loops use await loop.run()");
    }
    this.#stopRequested = false;
    this.#blockingRun = true;
    const callbacksAtStart = this.#callbacksRun;
    try {
      for (;;) {
        this.#tick(mode !== 'no_wait');
        this.#throwPendingError();
        if (this.#stopRequested || mode === 'no_wait') break;
        if (mode === 'once' && this.#callbacksRun > callbacksAtStart) break;
        if (mode === 'until_done' && this.#active === 0) break;
      }
    } finally {
      this.#blockingRun = false;
    }
  }

  /** Makes the current `run` return after the current tick. The loop can be run again afterwards. */
  stop(): void {
    this.#stopRequested = true;
    if (this.#run && !this.#inTick) this.#settleRun();
  }

  /**
   * Releases the backend. Throws if operations are still active (cancel or finish them first), so no
   * callback is silently dropped.
   */
  close(): void {
    if (this.#closed) return;
    if (this.#inTick) throw new XevUsageError('close() cannot be called from a callback');
    if (this.#active > 0) {
      throw new XevUsageError(`close() with ${this.#active} active completion(s): cancel them or run the loop until done first`);
    }
    this.#closed = true;
    if (this.mode === 'attached') {
      this.backend.armWake(-1);
      this.backend.setRef(false);
    }
    this.backend.destroy();
  }

  /** @internal Completes a loop-level operation (thread-pool results) in the current or next tick. */
  _completeLocal(c: Completion<any>, result: number, aux = 0): void {
    c.result = result;
    c.resultAux = aux;
    c._next = null;
    if (this.#doneTail) this.#doneTail._next = c;
    else this.#doneHead = c;
    this.#doneTail = c;
    if (this.mode === 'attached' && !this.#inTick) this.#scheduleTick();
  }

  /** @internal Whether the loop has work that is not waiting on the kernel. */
  get _hasLocalWork(): boolean {
    return this.#submitHead !== null || this.#doneHead !== null;
  }

  #checkRun(mode: RunMode): void {
    if (!RUN_MODES.includes(mode)) {
      throw new XevUsageError(`run mode must be one of ${RUN_MODES.join(', ')}, not ${JSON.stringify(mode)}`);
    }
    if (this.#inTick || this.#blockingRun) throw new XevUsageError('the loop is already running: run() cannot be called from a callback');
    if (this.#closed) throw new XevUsageError('the loop is closed');
  }

  #throwPendingError(): void {
    if (!this.#hasPendingError) return;
    const error = this.#pendingError;
    this.#pendingError = undefined;
    this.#hasPendingError = false;
    throw error;
  }

  // ---- Attached-mode driving -------------------------------------------------------------------------

  #scheduleTick(): void {
    if (this.#tickScheduled || this.#closed) return;
    this.#tickScheduled = true;
    setImmediate(this.#scheduledTick);
  }

  readonly #scheduledTick = (): void => {
    this.#tickScheduled = false;
    this.#drive(MAX_TICKS_PER_WAKE);
  };

  #onReady(): void {
    // The backend has something for us — maybe only its own wake-up, which it drains inside enter().
    this.#backendReady = true;
    if (this.#inTick) return;
    this.#drive(MAX_TICKS_PER_WAKE);
  }

  /** One attached wake-up: up to `maxTicks` passes while work completes, then re-arm and settle `run`. */
  #drive(maxTicks: number): void {
    if (this.#closed || this.#inTick) return;
    let passes = 0;
    do {
      const before = this.#callbacksRun;
      this.#tick(false);
      passes++;
      if (this.#callbacksRun === before && !this._hasLocalWork) break;
      if (this.#stopRequested || this.#hasPendingError) break;
    } while (passes < maxTicks);
    if (this._hasLocalWork) this.#scheduleTick();
    this.#armWake();
    const wantRef = this.#active > 0;
    if (wantRef !== this.#referenced) {
      this.#referenced = wantRef;
      this.backend.setRef(wantRef);
    }
    this.#settleRun();
  }

  #armWake(): void {
    const deadline = this.#timers.nextDeadline();
    // A wake is one-shot and may fire up to a millisecond early (libuv's cached clock): once the armed
    // deadline is that close, assume it fired and arm again.
    if (deadline === this.#armedDeadline && performance.now() < deadline - 2) return;
    this.#armedDeadline = deadline;
    this.backend.armWake(deadline === Infinity ? -1 : Math.max(0, deadline - performance.now()));
  }

  /** Settles the pending `run` promise if its mode's condition holds. */
  #settleRun(): void {
    const run = this.#run;
    if (!run) return;
    if (this.#hasPendingError) {
      const error = this.#pendingError;
      this.#pendingError = undefined;
      this.#hasPendingError = false;
      this.#run = null;
      run.reject(error);
      return;
    }
    const done =
      this.#stopRequested ||
      run.mode === 'no_wait' ||
      (run.mode === 'once' && (this.#callbacksRun > run.callbacksAtStart || this.#active === 0)) ||
      (run.mode === 'until_done' && this.#active === 0);
    if (!done) return;
    this.#run = null;
    this.#stopRequested = false;
    if (this.#active === 0 && this.#referenced) {
      this.#referenced = false;
      this.backend.setRef(false);
    }
    run.resolve();
  }

  // ---- The tick ----------------------------------------------------------------------------------------

  /**
   * One pass: stage what was added, fire due timers, submit and reap in one backend call (waiting only if
   * `mayWait` and nothing else is ready), then dispatch every completion.
   */
  #tick(mayWait: boolean): void {
    this.#inTick = true;
    try {
      this.#now = performance.now();
      this.#processSubmissions();
      const callbacksBefore = this.#callbacksRun;
      this.#fireTimers();
      this.#dispatchLocal();
      let waitMs = 0;
      if (mayWait && this.#callbacksRun === callbacksBefore && !this._hasLocalWork && !this.#stopRequested) {
        const next = this.#timers.nextDeadline();
        if (next !== Infinity) waitMs = Math.max(0, next - performance.now());
        else waitMs = this.#backendActive > 0 ? -1 : 0;
      }
      // Enter the backend to submit, to reap, to let it drain a wake-up it signalled (an attached loop
      // with only timers), or — a blocking loop with only timers — to sleep until the next deadline.
      if (this.#sqCount > 0 || this.#backendActive > 0 || waitMs !== 0 || this.#backendReady) {
        this.#backendReady = false;
        const count = this.#sqCount;
        this.#sqCount = 0;
        const completed = this.backend.enter(count, waitMs);
        this.#objects.fill(null, 0, count * SQE_OBJECTS);
        this.#dispatchBackend(completed);
        if (completed === this.#cqEntries) this.#dispatchBackend(this.backend.enter(0, 0));
      }
      if (mayWait || this.#callbacksRun !== callbacksBefore) this.#now = performance.now();
      this.#fireTimers();
      this.#dispatchLocal();
    } finally {
      this.#inTick = false;
    }
  }

  #processSubmissions(): void {
    let c = this.#submitHead;
    this.#submitHead = this.#submitTail = null;
    while (c !== null) {
      const next: Completion<any> | null = c._next;
      c._next = null;
      if (this.#sqCount === this.#sqEntries && c.op >= FIRST_BACKEND_OP) {
        // The submission queue is full: keep the rest, in order, for the next tick.
        this.#requeue(c);
      } else {
        this.#start(c);
      }
      c = next;
    }
  }

  #requeue(c: Completion<any>): void {
    if (this.#submitTail) this.#submitTail._next = c;
    else this.#submitHead = c;
    this.#submitTail = c;
  }

  /** Starts one added completion: timers go to the heap, cancels are resolved, the rest are staged. */
  #start(c: Completion<any>): void {
    switch (c.op) {
      case OpCode.timer:
        this.#timers.add(c, c.arg0, c._key);
        return;
      case OpCode.timerReset:
        this.#resetTimer(c);
        return;
      case OpCode.work:
        return; // The thread pool completes it through _completeLocal.
      case OpCode.cancel:
        this.#startCancel(c);
        return;
      default:
        this.#stage(c, -1);
    }
  }

  #startCancel(c: Completion<any>): void {
    const target = c.target!;
    if (!target._active || target === c) {
      this._completeLocal(c, ENOENT);
      return;
    }
    if (target.op === OpCode.timer) {
      if (!this.#timers.remove(target)) {
        this._completeLocal(c, ENOENT);
        return;
      }
      this._completeLocal(target, ECANCELED);
      this._completeLocal(c, 0);
      return;
    }
    if (target.op < FIRST_BACKEND_OP) {
      const hook = this._cancelHooks.get(target.op);
      if (hook && hook(target)) {
        this._completeLocal(target, ECANCELED);
        this._completeLocal(c, 0);
      } else {
        this._completeLocal(c, ENOENT);
      }
      return;
    }
    if (target._key < 0 || this.#slots[target._key] !== target) {
      // Added this tick but not yet staged (the queue was full): take it out of the submission list.
      if (this.#unlinkSubmission(target)) {
        this._completeLocal(target, ECANCELED);
        this._completeLocal(c, 0);
      } else {
        this._completeLocal(c, ENOENT);
      }
      return;
    }
    this.#stage(c, target._key);
  }

  #unlinkSubmission(target: Completion<any>): boolean {
    let previous: Completion<any> | null = null;
    for (let c = this.#submitHead; c !== null; previous = c, c = c._next) {
      if (c !== target) continue;
      if (previous) previous._next = c._next;
      else this.#submitHead = c._next;
      if (this.#submitTail === c) this.#submitTail = previous;
      c._next = null;
      return true;
    }
    return false;
  }

  #resetTimer(c: Completion<any>): void {
    const timer = c.target!;
    if (!this.#timers.remove(timer) && !timer._active) {
      // It fired between reset() and this tick: arm it afresh.
      timer._active = 1;
      this.#active++;
    }
    timer.arg0 = c.arg0;
    this.#timers.add(timer, c.arg0, Math.ceil(performance.now() + c.arg0));
    this._completeLocal(c, 0);
  }

  #stage(c: Completion<any>, target: number): void {
    let slot = this.#freeSlots.pop();
    if (slot === undefined) {
      slot = this.#slots.length;
      this.#slots.push(null);
    }
    this.#slots[slot] = c;
    c._key = slot;
    this.#backendActive++;
    const i = this.#sqCount++;
    const sq = this.#sq;
    const base = i * Sqe.stride;
    sq[base + Sqe.op] = c.op;
    sq[base + Sqe.slot] = slot;
    sq[base + Sqe.handle] = c.handle;
    sq[base + Sqe.arg0] = c.arg0;
    sq[base + Sqe.arg1] = c.arg1;
    sq[base + Sqe.target] = target;
    this.#objects[i * SQE_OBJECTS] = c.buffer;
    this.#objects[i * SQE_OBJECTS + 1] = c.aux;
  }

  #fireTimers(): void {
    if (this.#timers.size > 0) this.#timers.expire(performance.now(), this.#fireTimer);
  }

  #dispatchLocal(): void {
    while (this.#doneHead !== null) {
      const c = this.#doneHead;
      this.#doneHead = c._next;
      if (this.#doneHead === null) this.#doneTail = null;
      c._next = null;
      this.#complete(c, c.result, c.resultAux);
    }
  }

  #dispatchBackend(count: number): void {
    const cq = this.#cq;
    for (let i = 0; i < count; i++) {
      const base = i * Cqe.stride;
      const slot = cq[base + Cqe.slot];
      const c = this.#slots[slot];
      if (!c) continue; // Defensive: a backend reported a slot twice.
      this.#slots[slot] = null;
      this.#freeSlots.push(slot);
      c._key = -1;
      this.#backendActive--;
      this.#complete(c, cq[base + Cqe.result], cq[base + Cqe.aux]);
    }
  }

  /** Retires `c` and runs its callback; a `rearm` re-adds the same operation. */
  #complete(c: Completion<any>, result: number, aux: number): void {
    c._active = 0;
    this.#active--;
    c.result = result;
    c.resultAux = aux;
    this.#callbacksRun++;
    const callback = c.callback;
    if (callback === null) return;
    let action: CallbackAction | void;
    try {
      action = callback(c.userdata, this, c, result);
    } catch (error) {
      // Rule 4: a throwing callback disarms; the error reaches run() once the tick is finished.
      if (!this.#hasPendingError) {
        this.#pendingError = error;
        this.#hasPendingError = true;
      }
      return;
    }
    if (action === CallbackAction.rearm && !c._active) this.add(c);
  }
}
