import type { Loop } from '../loop.js';
import { CallbackAction, Completion } from '../completion.js';
import { OpCode } from '../backend/layout.js';
import { XevUsageError } from '../errors.js';

/**
 * The callback of a queued write: `result` is the whole buffer's length once every byte is written, or
 * the negative errno of the write that failed. `request.buffer` is the buffer that was queued.
 */
export type WriteCallback<U> = (userdata: U, loop: Loop, request: WriteRequest<U>, result: number) => CallbackAction | void;

/**
 * One ordered write, libxev's `WriteRequest`: a caller-owned, reusable record that wraps the completion
 * the queue submits. Reusing a request that is still queued is an {@link XevUsageError}.
 */
export class WriteRequest<U = unknown> {
  /** The completion the queue submits for this request (one at a time, continuing partial writes). */
  readonly completion = new Completion<WriteQueue>();
  /** The whole buffer that was queued. */
  buffer: Uint8Array = EMPTY;
  /** The file offset of a positional write, or -1 for a write at the file position. */
  offset = -1;
  /** Bytes written so far. */
  written = 0;
  userdata: U = undefined as U;
  callback: WriteCallback<U> | null = null;
  /** @internal */
  _next: WriteRequest<any> | null = null;
  /** @internal Whether the request sits in a queue. */
  _queued = false;

  /** `'active'` from being queued until its callback has run. */
  get state(): 'dead' | 'active' {
    return this._queued ? 'active' : 'dead';
  }
}

const EMPTY = new Uint8Array(0);

/**
 * libxev's `WriteQueue` (shared by `@xev/net` sockets and `@xev/fs` files): writes to one handle that complete in the order they were queued, each one
 * continued after a partial write until its whole buffer is written. Only the head of the queue is in the
 * kernel at a time, so ordering never depends on the backend.
 */
export class WriteQueue {
  readonly loop: Loop;
  readonly handle: number;
  /** `write` for files at their position, `send` for sockets; positional requests use `pwrite`. */
  readonly #streamOp: OpCode;
  #head: WriteRequest<any> | null = null;
  #tail: WriteRequest<any> | null = null;
  #length = 0;

  constructor(loop: Loop, handle: number, streamOp: OpCode) {
    this.loop = loop;
    this.handle = handle;
    this.#streamOp = streamOp;
  }

  /** Requests waiting or in flight. */
  get length(): number {
    return this.#length;
  }

  /** Queues `buffer`; `offset >= 0` makes it a positional write (`pwrite`). */
  push<U>(request: WriteRequest<U>, buffer: Uint8Array, offset: number, userdata: U, callback: WriteCallback<U>): void {
    if (!(request instanceof WriteRequest)) throw new XevUsageError('queueWrite takes a WriteRequest');
    if (request._queued) {
      // Differs from libxev: re-queuing a queued request silently replaces the queued write there.
      throw new XevUsageError('this WriteRequest is still queued; wait for its callback before reusing it');
    }
    if (!(buffer instanceof Uint8Array) || buffer.byteLength === 0) throw new XevUsageError('a queued write needs a non-empty Uint8Array');
    request.buffer = buffer;
    request.offset = offset;
    request.written = 0;
    request.userdata = userdata;
    request.callback = callback;
    request._next = null;
    request._queued = true;
    this.#length++;
    if (this.#tail) this.#tail._next = request;
    else this.#head = request;
    this.#tail = request;
    if (this.#head === request) this.#submit(request);
  }

  /**
   * Takes a request that is still waiting behind the head out of the queue and completes it with
   * `result` (ECANCELED for an abort). Returns false for the head, which is in the kernel already: cancel
   * its completion instead.
   */
  remove(request: WriteRequest<any>, result: number): boolean {
    let previous: WriteRequest<any> | null = this.#head;
    if (previous === null || previous === request) return false;
    while (previous._next !== null && previous._next !== request) previous = previous._next;
    if (previous._next !== request) return false;
    previous._next = request._next;
    if (this.#tail === request) this.#tail = previous;
    request._next = null;
    request._queued = false;
    this.#length--;
    request.callback?.(request.userdata, this.loop, request, result);
    return true;
  }

  /** The request whose write is in the kernel now, if any. */
  get head(): WriteRequest<any> | null {
    return this.#head;
  }

  #submit(request: WriteRequest<any>): void {
    const rest = request.written === 0 ? request.buffer : request.buffer.subarray(request.written);
    const c = request.completion;
    if (request.offset >= 0) c.prep(OpCode.pwrite, this.handle, rest, null, request.offset + request.written);
    else c.prep(this.#streamOp, this.handle, rest);
    c.userdata = this;
    c.callback = onWritten;
    this.loop.add(c);
  }

  /** @internal Called with the head request's result. */
  _written(result: number): void {
    const request = this.#head!;
    if (result > 0 && request.written + result < request.buffer.byteLength) {
      request.written += result;
      this.#submit(request); // A partial write: continue with the rest before anything behind it.
      return;
    }
    if (result > 0) request.written += result;
    this.#head = request._next;
    if (this.#head === null) this.#tail = null;
    request._next = null;
    request._queued = false;
    this.#length--;
    // A write that made no progress ends the request with what was written (a full disk, say).
    const final = result < 0 ? result : request.written;
    let action: CallbackAction | void = CallbackAction.disarm;
    try {
      action = request.callback?.(request.userdata, this.loop, request, final);
    } finally {
      // Whatever the callback did (even throw), the rest of the queue keeps moving.
      if (action === CallbackAction.rearm && !request._queued) this.push(request, request.buffer, request.offset, request.userdata, request.callback!);
      if (this.#head !== null && this.#head.completion.state === 'dead') this.#submit(this.#head);
    }
  }
}

function onWritten(queue: WriteQueue, _loop: Loop, _c: Completion<WriteQueue>, result: number): CallbackAction {
  queue._written(result);
  return CallbackAction.disarm;
}
