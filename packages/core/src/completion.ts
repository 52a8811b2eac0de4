import type { Loop } from './loop.js';
import { OpCode } from './backend/layout.js';

/** What a callback tells the loop: `disarm` retires the completion, `rearm` re-issues the same operation. */
export const CallbackAction = { disarm: 0, rearm: 1 } as const;
export type CallbackAction = (typeof CallbackAction)[keyof typeof CallbackAction];

/**
 * A completion callback: `result` is `>= 0` on success or a negative errno. Returning nothing means
 * `disarm`.
 */
export type Callback<U = unknown> = (
  userdata: U,
  loop: Loop,
  completion: Completion<U>,
  result: number,
) => CallbackAction | void;

/** A completion is `dead` (free to reuse) or `active` (owned by the loop until its callback runs). */
export type CompletionState = 'dead' | 'active';

/**
 * A caller-owned, reusable record of one operation: what to do, the buffers it uses, and whom to call
 * when it is done. Allocate one per concurrent operation and reuse it; the loop allocates nothing per
 * operation.
 *
 * Fill it with one of the `prep*` helpers (or set the fields yourself), then `loop.add(c)`. The loop
 * keeps it, and every buffer it names, referenced until its callback has run.
 */
export class Completion<U = unknown> {
  /** The operation, an {@link OpCode}. */
  op: OpCode = OpCode.nop;
  /** The handle the operation acts on. */
  handle = -1;
  /** The data buffer of reads and writes. */
  buffer: ArrayBufferView | null = null;
  /** The auxiliary buffer: a socket address, a NUL-terminated path, or the stat record to fill. */
  aux: ArrayBufferView | null = null;
  /** Operation argument: timer delay in ms, file offset, open flags, shutdown direction, poll events. */
  arg0 = 0;
  /** Second operation argument: open mode. */
  arg1 = 0;
  /** For `cancel` and timer `reset`: the completion being cancelled. */
  target: Completion<any> | null = null;
  userdata: U;
  callback: Callback<U> | null;

  /** The result of the last completion of this operation, and its second value (a signal number). */
  result = 0;
  resultAux = 0;

  // Loop bookkeeping. A completion is kept to few fields because programs hold millions of them
  // (million-timers): `_key` is the deadline of an armed timer or the slot of a staged backend
  // operation (-1 when neither), and an armed timer keeps its timer list in `target`.
  /** @internal */
  _key = -1;
  /** @internal 0 dead, 1 active. */
  _active = 0;
  /** @internal Next completion in an intrusive list (submissions, completions, a timer list). */
  _next: Completion<any> | null = null;
  /** @internal Previous completion in a timer list. */
  _prev: Completion<any> | null = null;

  constructor(userdata?: U, callback?: Callback<U> | null) {
    this.userdata = userdata as U;
    this.callback = callback ?? null;
  }

  /**
   * The JavaScript value a loop-level operation produced: a thread-pool task's return value, or the
   * error it threw. (It travels in `target`, which such operations do not use.)
   */
  get value(): unknown {
    return this.op === OpCode.work ? this.target : undefined;
  }

  set value(value: unknown) {
    this.target = value as Completion<any> | null;
  }

  /** `'active'` from `loop.add` until the callback returns `disarm`, otherwise `'dead'`. */
  get state(): CompletionState {
    return this._active ? 'active' : 'dead';
  }

  /** Sets the operation fields, clearing the others. Returns `this` for chaining. */
  prep(op: OpCode, handle = -1, buffer: ArrayBufferView | null = null, aux: ArrayBufferView | null = null, arg0 = 0, arg1 = 0): this {
    this.op = op;
    this.handle = handle;
    this.buffer = buffer;
    this.aux = aux;
    this.arg0 = arg0;
    this.arg1 = arg1;
    this.target = null;
    return this;
  }

  /** Sets the callback and userdata. Returns `this` for chaining. (Not `then`: a completion is no thenable.) */
  setCallback(callback: Callback<U>, userdata?: U): this {
    this.callback = callback;
    if (arguments.length > 1) this.userdata = userdata as U;
    return this;
  }

  /** Prepares a cancellation of `target` (rule 5: the target completes with ECANCELED). */
  prepCancel(target: Completion<any>): this {
    this.prep(OpCode.cancel);
    this.target = target;
    return this;
  }
}
