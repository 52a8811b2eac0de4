import { CallbackAction, Completion, type Loop, OpCode, PollEvent, XevUsageError } from '@xev/core';
import type { TCP } from './tcp.js';

/**
 * Receive buffers lent out only while a read is in the kernel or its callback runs. Buffers come back on
 * release and are kept (up to `maxFree`) for the next read, so steady state allocates nothing.
 */
export class ReadPool {
  /** The size of each buffer: the most one pooled read delivers. */
  readonly bufferSize: number;
  readonly #maxFree: number;
  readonly #free: Uint8Array[] = [];
  #allocated = 0;

  /** `bufferSize` defaults to 64 KiB; at most `maxFree` idle buffers are kept (default 256). */
  constructor(bufferSize = 64 * 1024, maxFree = 256) {
    if (!Number.isInteger(bufferSize) || bufferSize < 1) throw new XevUsageError(`bufferSize must be a positive integer, not ${String(bufferSize)}`);
    this.bufferSize = bufferSize;
    this.#maxFree = maxFree;
  }

  /** Buffers ever allocated and still owned by the pool or a reader. */
  get allocated(): number {
    return this.#allocated;
  }

  /** Buffers lent out right now. */
  get inUse(): number {
    return this.#allocated - this.#free.length;
  }

  /** @internal */
  acquire(): Uint8Array {
    const buffer = this.#free.pop();
    if (buffer) return buffer;
    this.#allocated++;
    return new Uint8Array(this.bufferSize);
  }

  /** @internal */
  release(buffer: Uint8Array): void {
    if (this.#free.length < this.#maxFree) this.#free.push(buffer);
    else this.#allocated--;
  }
}

/**
 * A pooled read's callback. `data` is a view of the bytes received, **valid only until the callback
 * returns** (copy what you keep); it is `null` with `result` `0` at EOF and with a negative errno on
 * failure. Return `rearm` to keep reading, `disarm` (or nothing) to stop.
 */
export type PooledReadCallback<U> = (userdata: U, loop: Loop, data: Uint8Array | null, result: number) => CallbackAction | void;

/**
 * Reads from a socket with buffers the loop provides: an idle connection holds one poll completion and
 * no read buffer. It waits for readability (`poll`), then receives into a buffer from the {@link ReadPool},
 * calls back with a view, and returns the buffer to the pool.
 *
 * This runs on every backend above the contract. A backend with io_uring provided-buffer rings could do
 * the same in one kernel operation (multishot receive with buffer selection), saving the poll round
 * trip; the contract's `pooledReads` capability is reserved for that.
 */
export class PooledReader<U = unknown> {
  readonly tcp: TCP;
  readonly pool: ReadPool;
  userdata: U;
  callback: PooledReadCallback<U>;
  readonly #c = new Completion<PooledReader<U>>();
  #buffer: Uint8Array | null = null;
  #stopping = false;

  constructor(tcp: TCP, pool: ReadPool, userdata: U, callback: PooledReadCallback<U>) {
    this.tcp = tcp;
    this.pool = pool;
    this.userdata = userdata;
    this.callback = callback;
  }

  /** Whether a poll or receive is in flight. */
  get active(): boolean {
    return this.#c.state === 'active';
  }

  /** Starts reading (waits for readability first). */
  start(): void {
    if (this.active) throw new XevUsageError('this pooled reader is already reading');
    this.#stopping = false;
    this.#poll();
  }

  /** Stops reading: the pending poll or receive is cancelled and the callback is not called for it. */
  stop(): void {
    if (!this.active) return;
    this.#stopping = true;
    this.tcp.loop.add(new Completion().prepCancel(this.#c));
  }

  #poll(): void {
    this.#c.prep(OpCode.poll, this.tcp.handle, null, null, PollEvent.readable);
    this.#c.userdata = this;
    this.#c.callback = onPoll;
    this.tcp.loop.add(this.#c);
  }

  /** @internal */
  _onPoll(result: number): void {
    if (this.#stopping) return;
    if (result < 0) {
      this.callback(this.userdata, this.tcp.loop, null, result);
      return;
    }
    // Readable (data, EOF or an error waiting): borrow a buffer just for this receive.
    this.#buffer = this.pool.acquire();
    this.#c.prep(OpCode.recv, this.tcp.handle, this.#buffer);
    this.#c.callback = onRecv;
    this.tcp.loop.add(this.#c);
  }

  /** @internal */
  _onRecv(result: number): void {
    const buffer = this.#buffer!;
    this.#buffer = null;
    let action: CallbackAction | void = CallbackAction.disarm;
    try {
      if (!this.#stopping) action = this.callback(this.userdata, this.tcp.loop, result > 0 ? buffer.subarray(0, result) : null, result);
    } finally {
      this.pool.release(buffer);
    }
    if (result > 0 && action === CallbackAction.rearm && !this.#stopping && !this.active) this.#poll();
  }
}

function onPoll(reader: PooledReader<any> | undefined, _loop: Loop, c: Completion<any>): CallbackAction {
  reader!._onPoll(c.result);
  return CallbackAction.disarm;
}

function onRecv(reader: PooledReader<any> | undefined, _loop: Loop, c: Completion<any>): CallbackAction {
  reader!._onRecv(c.result);
  return CallbackAction.disarm;
}
