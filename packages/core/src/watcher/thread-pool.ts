import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Loop } from '../loop.js';
import { OpCode } from '../backend/layout.js';
import { CallbackAction, Completion, type Callback } from '../completion.js';
import { ECANCELED, EINVAL, XevUsageError } from '../errors.js';
import { Async } from './async.js';
import { WORKER_SOURCE } from './thread-pool-worker.js';

/** A task for the pool: a function exported by a module, and its (structured-clonable) arguments. */
export interface Task {
  /** A module path (absolute, or relative to the working directory), file URL, or package name. */
  readonly module: string;
  /** The export to call; the default export when omitted. */
  readonly exportName?: string;
  readonly args?: readonly unknown[];
}

/** Options for a {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /** Worker threads; default `os.availableParallelism()`. */
  readonly size?: number;
  /** Tasks handed to one worker before it reports back, so short tasks are batched; default 4. */
  readonly perWorker?: number;
}

interface Job {
  readonly id: number;
  readonly completion: Completion<any>;
  readonly message: { id: number; module: string; exportName?: string; args: readonly unknown[] };
}

interface PoolWorker {
  readonly worker: Worker;
  readonly results: MessagePort;
  inFlight: number;
}

/** The result code of a task that threw; its error is in `completion.value`. */
export const TASK_FAILED = EINVAL;

/**
 * A pool of `worker_threads` for blocking or CPU-heavy JavaScript, whose results come back as completions
 * on the loop. Workers reply on message ports that the loop drains synchronously after an {@link Async}
 * wake-up, so results arrive in blocking mode as well as attached.
 *
 * A task's callback gets result 0 and `completion.value` = the return value, or {@link TASK_FAILED} and
 * `completion.value` = the error it threw. A task cancelled before a worker took it gets ECANCELED.
 */
export class ThreadPool {
  readonly loop: Loop;
  readonly size: number;
  readonly #perWorker: number;
  readonly #async: Async;
  readonly #wake = new Completion<ThreadPool>();
  readonly #workers: PoolWorker[] = [];
  readonly #queue: Job[] = [];
  readonly #running = new Map<number, Job>();
  #nextId = 1;
  #closed = false;

  constructor(loop: Loop, options: ThreadPoolOptions = {}) {
    const size = options.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1) throw new XevUsageError(`a thread pool needs at least one worker, not ${String(size)}`);
    this.loop = loop;
    this.size = size;
    this.#perWorker = options.perWorker ?? 4;
    this.#async = new Async(loop);
    const token = this.#async.token();
    for (let i = 0; i < size; i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { results: port2, token },
        transferList: [port2],
      });
      worker.unref();
      worker.on('error', (error) => this.#workerFailed(error));
      this.#workers.push({ worker, results: port1, inFlight: 0 });
    }
    loop._cancelHooks.set(OpCode.work, (c) => this.#cancelQueued(c));
  }

  /** Runs `task` on a worker; `callback` gets the outcome on the loop (see the class description). */
  submit<U>(c: Completion<U>, task: Task, userdata: U, callback: Callback<U>): void {
    if (this.#closed) throw new XevUsageError('the thread pool is closed');
    if (!task || typeof task.module !== 'string') throw new XevUsageError('a task needs a module (path, file URL or package name)');
    c.prep(OpCode.work);
    c.userdata = userdata;
    c.callback = callback;
    c.value = undefined;
    this.loop.add(c);
    const id = this.#nextId++;
    this.#queue.push({ id, completion: c, message: { id, module: specifierOf(task.module), exportName: task.exportName, args: task.args ?? [] } });
    if (this.#wake.state === 'dead') this.#async.wait(this.#wake, this, onWake);
    this.#dispatch();
  }

  /** Stops the workers. Tasks still queued or running complete with ECANCELED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const job of [...this.#queue, ...this.#running.values()]) this.loop._completeLocal(job.completion, ECANCELED);
    this.#queue.length = 0;
    this.#running.clear();
    this.#async.close();
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let target: PoolWorker | undefined;
      for (const w of this.#workers) if (w.inFlight < this.#perWorker && (!target || w.inFlight < target.inFlight)) target = w;
      if (!target) return;
      const job = this.#queue.shift()!;
      target.inFlight++;
      this.#running.set(job.id, job);
      target.worker.postMessage(job.message);
    }
  }

  /** Drains every worker's result port; returns whether work remains outstanding. */
  _drain(): boolean {
    for (const w of this.#workers) {
      for (let message = receiveMessageOnPort(w.results); message; message = receiveMessageOnPort(w.results)) {
        const reply = message.message as { id: number; ok: boolean; value?: unknown; error?: unknown };
        w.inFlight--;
        const job = this.#running.get(reply.id);
        if (!job) continue;
        this.#running.delete(reply.id);
        job.completion.value = reply.ok ? reply.value : reply.error;
        this.loop._completeLocal(job.completion, reply.ok ? 0 : TASK_FAILED);
      }
    }
    this.#dispatch();
    return this.#running.size > 0 || this.#queue.length > 0;
  }

  #cancelQueued(c: Completion<any>): boolean {
    const index = this.#queue.findIndex((job) => job.completion === c);
    if (index < 0) return false;
    this.#queue.splice(index, 1);
    if (this.#running.size === 0 && this.#queue.length === 0 && this.#wake.state === 'active') {
      // Nothing left to wait for: release the wake-up so the loop can finish.
      this.#async.notify();
    }
    return true;
  }

  #workerFailed(error: Error): void {
    // A worker that died (out of memory, process.exit in a task) fails the tasks it held.
    for (const job of this.#running.values()) {
      job.completion.value = error;
      this.loop._completeLocal(job.completion, TASK_FAILED);
    }
    this.#running.clear();
    this.#async.notify();
  }
}

function onWake(pool: ThreadPool | undefined): CallbackAction {
  return pool!._drain() ? CallbackAction.rearm : CallbackAction.disarm;
}

function specifierOf(module: string): string {
  if (module.startsWith('file:') || module.startsWith('node:')) return module;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (module.startsWith('.')) return pathToFileURL(resolve(module)).href;
  return module;
}
