import { type Callback, type Completion, type Loop, OpCode, Stat, XevUsageError, encodePath } from '@xev/core';
import { type OpenFlags, parseOpenFlags } from './flags.js';
import { type WriteCallback, WriteQueue, type WriteRequest } from '@xev/core';

/**
 * A file in libxev's shape: a thin watcher over one handle whose methods prepare a caller-owned
 * {@link Completion} and add it to the loop. Nothing is allocated per operation. Callbacks get
 * `(userdata, loop, completion, result)`: `result` is bytes transferred (`0` from a read is end of file),
 * or a negative errno; the buffer is `completion.buffer`.
 *
 * Several reads and writes may be outstanding at once. Plain `write` is unordered; `queueWrite` and
 * `queuePWrite` go through one {@link WriteQueue} per file and complete in order, each continued after
 * a partial write until its whole buffer is written.
 */
export class File {
  readonly loop: Loop;
  /** The backend's handle (a file descriptor on the native backends). */
  readonly handle: number;
  #queue: WriteQueue | null = null;

  /** Wraps a handle that `open` returned. */
  constructor(loop: Loop, handle: number) {
    if (!Number.isInteger(handle) || handle < 0) throw new XevUsageError(`a File needs a handle (a non-negative integer), not ${String(handle)}`);
    this.loop = loop;
    this.handle = handle;
  }

  /**
   * Opens `path`; the callback's result is the new handle (wrap it with `new File(loop, result)`) or a
   * negative errno. `flags` are Node-style (`'r+'`) or {@link OpenFlag} bits; `mode` applies on create.
   */
  static open<U>(loop: Loop, c: Completion<U>, path: string, flags: OpenFlags, mode: number, userdata: U, callback: Callback<U>): void {
    idle(c).prep(OpCode.open, -1, null, encodePath(path), parseOpenFlags(flags), mode);
    add(loop, c, userdata, callback);
  }

  /** Reads into `buffer` at the file position. */
  read<U>(c: Completion<U>, buffer: ArrayBufferView, userdata: U, callback: Callback<U>): void {
    add(this.loop, idle(c).prep(OpCode.read, this.handle, buffer), userdata, callback);
  }

  /** Writes `buffer` at the file position (unordered with other writes; see {@link queueWrite}). */
  write<U>(c: Completion<U>, buffer: ArrayBufferView, userdata: U, callback: Callback<U>): void {
    add(this.loop, idle(c).prep(OpCode.write, this.handle, buffer), userdata, callback);
  }

  /** Reads into `buffer` from `offset`, leaving the file position alone. */
  pread<U>(c: Completion<U>, buffer: ArrayBufferView, offset: number, userdata: U, callback: Callback<U>): void {
    add(this.loop, idle(c).prep(OpCode.pread, this.handle, buffer, null, checkOffset(offset)), userdata, callback);
  }

  /** Writes `buffer` at `offset`, leaving the file position alone. */
  pwrite<U>(c: Completion<U>, buffer: ArrayBufferView, offset: number, userdata: U, callback: Callback<U>): void {
    add(this.loop, idle(c).prep(OpCode.pwrite, this.handle, buffer, null, checkOffset(offset)), userdata, callback);
  }

  /** Flushes the file's data and metadata to the device. */
  fsync<U>(c: Completion<U>, userdata: U, callback: Callback<U>): void {
    add(this.loop, idle(c).prep(OpCode.fsync, this.handle), userdata, callback);
  }

  /** Fills `out` (a `Float64Array(Stat.count)`, indexed by {@link Stat}); decode it with `new Stats(out)`. */
  stat<U>(c: Completion<U>, out: Float64Array, userdata: U, callback: Callback<U>): void {
    if (!(out instanceof Float64Array) || out.length < Stat.count) throw new XevUsageError(`stat needs a Float64Array of ${Stat.count} slots`);
    add(this.loop, idle(c).prep(OpCode.stat, this.handle, null, out), userdata, callback);
  }

  /** Closes the handle. Operations still pending on it complete with ECANCELED first. */
  close<U>(c: Completion<U>, userdata: U, callback: Callback<U>): void {
    add(this.loop, idle(c).prep(OpCode.close, this.handle), userdata, callback);
  }

  /** Writes `buffer` at the file position after every write queued before it; see {@link WriteQueue}. */
  queueWrite<U>(request: WriteRequest<U>, buffer: Uint8Array, userdata: U, callback: WriteCallback<U>): void {
    this.#writeQueue().push(request, buffer, -1, userdata, callback);
  }

  /** Writes `buffer` at `offset` after every write queued before it (libxev's `queuePWrite`). */
  queuePWrite<U>(request: WriteRequest<U>, buffer: Uint8Array, offset: number, userdata: U, callback: WriteCallback<U>): void {
    this.#writeQueue().push(request, buffer, checkOffset(offset), userdata, callback);
  }

  /** Queued writes not yet completed. */
  get queuedWrites(): number {
    return this.#queue?.length ?? 0;
  }

  #writeQueue(): WriteQueue {
    return (this.#queue ??= new WriteQueue(this.loop, this.handle, OpCode.write));
  }
}

function add<U>(loop: Loop, c: Completion<U>, userdata: U, callback: Callback<U>): void {
  c.userdata = userdata;
  c.callback = callback;
  loop.add(c);
}

/** Refuses an active completion before `prep` touches it, so a misuse never corrupts a pending operation. */
function idle<U>(c: Completion<U>): Completion<U> {
  if (c.state === 'active') throw new XevUsageError('this completion is already active; wait for its callback, or cancel it, before reusing it');
  return c;
}

function checkOffset(offset: number): number {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new XevUsageError(`a file offset must be a non-negative safe integer, not ${String(offset)}`);
  return offset;
}
