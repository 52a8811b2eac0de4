import { OpCode } from '../layout.js';
import type { Complete, PendingOp, Resource } from './shared.js';
import { err } from './shared.js';

/**
 * An async wake-up handle: one shared 32-bit word. `notify` (any thread) adds to it and wakes
 * `Atomics.waitAsync`; a wait swaps it back to zero, so N notifies before a wait coalesce into one.
 */
export class AsyncResource implements Resource {
  readonly kind = 'async' as const;
  readonly pending = new Set<PendingOp>();
  readonly shared: SharedArrayBuffer;
  readonly #word: Int32Array;
  readonly #complete: Complete;
  #waiter: PendingOp | null = null;
  #closed = false;

  constructor(complete: Complete) {
    // Assigned here, not as field initializers: the CJS build may order initializers differently.
    this.shared = new SharedArrayBuffer(4);
    this.#word = new Int32Array(this.shared);
    this.#complete = complete;
  }

  start(op: PendingOp): void {
    if (op.op !== OpCode.asyncWait || this.#waiter) {
      this.#complete(op, err(this.#waiter ? 'EBUSY' : 'ENOTSUP'));
      return;
    }
    this.pending.add(op);
    this.#waiter = op;
    this.#check();
  }

  #check(): void {
    const op = this.#waiter;
    if (!op || this.#closed) return;
    if (Atomics.exchange(this.#word, 0, 0) !== 0) {
      this.#waiter = null;
      this.pending.delete(op);
      // Never complete synchronously inside start(): the backend contract reports completions later.
      queueMicrotask(() => this.#complete(op, 0));
      return;
    }
    const wait = Atomics.waitAsync(this.#word, 0, 0);
    if (wait.async) void wait.value.then(() => this.#waiter === op && this.#check());
    else queueMicrotask(() => this.#waiter === op && this.#check());
  }

  cancel(op: PendingOp): boolean {
    if (this.#waiter !== op) return false;
    this.#waiter = null;
    this.pending.delete(op);
    return true;
  }

  close(done: (result: number) => void): void {
    this.#closed = true;
    const op = this.#waiter;
    if (op) {
      this.cancel(op);
      this.#complete(op, err('ECANCELED'));
    }
    // Wake a pending waitAsync so its promise does not linger.
    Atomics.notify(this.#word, 0);
    queueMicrotask(() => done(0));
  }
}

/** Wakes the async handle whose shared word is `shared`; safe from any thread. */
export function notifyShared(shared: SharedArrayBuffer): void {
  const word = new Int32Array(shared);
  Atomics.add(word, 0, 1);
  Atomics.notify(word, 0);
}
