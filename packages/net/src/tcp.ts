import { Addr, type Callback, type Completion, type Loop, OpCode, PollEvent, ShutdownHow, SockType, XevUsageError, encodeAddress, type SocketAddress } from '@xev/core';
import { applyOptions, check, idle, socketAddress, type SocketOptions } from './sockets.js';
import { type WriteCallback, WriteQueue, type WriteRequest } from '@xev/core';

/** Which direction `shutdown` closes. */
export type ShutdownDirection = 'read' | 'write' | 'both';

/**
 * A TCP socket in libxev's shape: a thin watcher over one handle whose methods prepare a caller-owned
 * {@link Completion} and add it to the loop; nothing is allocated per operation. Callbacks get
 * `(userdata, loop, completion, result)`:
 *
 * - `accept`: the new connection's handle (`new TCP(loop, result)`), or a negative errno;
 * - `connect`, `shutdown`, `close`: `0` or a negative errno;
 * - `read`: bytes received, **`0` at end of stream (EOF)**, or a negative errno — the buffer is
 *   `completion.buffer`;
 * - `write`: bytes sent, possibly fewer than asked (use `queueWrite` for whole, ordered writes);
 * - `poll`: the {@link PollEvent} bits that are ready.
 *
 * Several reads and writes may be outstanding at once (rule 8); plain `write` is unordered.
 */
export class TCP {
  readonly loop: Loop;
  /** The backend's handle (a file descriptor on the native backends). */
  readonly handle: number;
  #queue: WriteQueue | null = null;

  /** Wraps a socket handle (from `accept`, or `TCP.create`). */
  constructor(loop: Loop, handle: number) {
    if (!Number.isInteger(handle) || handle < 0) throw new XevUsageError(`a TCP socket needs a handle (a non-negative integer), not ${String(handle)}`);
    this.loop = loop;
    this.handle = handle;
  }

  /** A new, unconnected stream socket for IPv4 (`4`) or IPv6 (`6`). */
  static create(loop: Loop, family: 4 | 6 = 4): TCP {
    if (family !== 4 && family !== 6) throw new XevUsageError(`family must be 4 or 6, not ${String(family)}`);
    return new TCP(loop, check(loop.backend.socket(family, SockType.stream), 'socket'));
  }

  /** Binds to a numeric address (`'127.0.0.1'`, `'::1'`, `'0.0.0.0'`) and port (`0` picks one). */
  bind(address: string, port: number): void {
    check(this.loop.backend.bind(this.handle, encodeAddress(address, port)), `bind ${address}:${port}`);
  }

  /** Starts listening with room for `backlog` pending connections. */
  listen(backlog = 511): void {
    check(this.loop.backend.listen(this.handle, backlog), 'listen');
  }

  /**
   * Accepts one connection. `peer`, if given (a `Uint8Array(Addr.size)`), receives the peer's address
   * (decode it with `decodeAddress`). A callback that returns `rearm` accepts again.
   */
  accept<U>(c: Completion<U>, userdata: U, callback: Callback<U>, peer: Uint8Array | null = null): void {
    add(this.loop, idle(c).prep(OpCode.accept, this.handle, null, peer), userdata, callback);
  }

  /**
   * Connects to a numeric `address` and `port`, or to an address already encoded with `encodeAddress`
   * (pass it as `address` and omit `port`), which allocates nothing.
   */
  connect<U>(c: Completion<U>, address: string | Uint8Array, port: number | undefined, userdata: U, callback: Callback<U>): void {
    const encoded = typeof address === 'string' ? encodeAddress(address, port ?? 0) : address;
    if (!(encoded instanceof Uint8Array) || encoded.byteLength < Addr.size) throw new XevUsageError('connect needs a numeric address and port, or an encoded address');
    add(this.loop, idle(c).prep(OpCode.connect, this.handle, null, encoded), userdata, callback);
  }

  /** Receives into `buffer`. A result of `0` is EOF: the peer shut down its side or closed. */
  read<U>(c: Completion<U>, buffer: ArrayBufferView, userdata: U, callback: Callback<U>): void {
    add(this.loop, idle(c).prep(OpCode.recv, this.handle, buffer), userdata, callback);
  }

  /** Sends from `buffer`; the result may be short. Unordered with other writes: see {@link queueWrite}. */
  write<U>(c: Completion<U>, buffer: ArrayBufferView, userdata: U, callback: Callback<U>): void {
    add(this.loop, idle(c).prep(OpCode.send, this.handle, buffer), userdata, callback);
  }

  /**
   * Sends all of `buffer` after every write queued before it, continuing partial sends; the callback gets
   * the buffer's length once the last byte is handed to the kernel, or the first negative errno.
   */
  queueWrite<U>(request: WriteRequest<U>, buffer: Uint8Array, userdata: U, callback: WriteCallback<U>): void {
    this.writeQueue.push(request, buffer, -1, userdata, callback);
  }

  /** The queue behind {@link queueWrite} (its `length` is the writes not yet completed). */
  get writeQueue(): WriteQueue {
    return (this.#queue ??= new WriteQueue(this.loop, this.handle, OpCode.send));
  }

  /** Shuts down one or both directions; shutting down `write` gives the peer EOF after the data sent. */
  shutdown<U>(c: Completion<U>, how: ShutdownDirection, userdata: U, callback: Callback<U>): void {
    const arg = how === 'read' ? ShutdownHow.read : how === 'write' ? ShutdownHow.write : how === 'both' ? ShutdownHow.both : -1;
    if (arg < 0) throw new XevUsageError(`shutdown direction must be 'read', 'write' or 'both', not ${String(how)}`);
    add(this.loop, idle(c).prep(OpCode.shutdown, this.handle, null, null, arg), userdata, callback);
  }

  /** Waits until the socket is readable and/or writable (`PollEvent` bits); consumes nothing. */
  poll<U>(c: Completion<U>, events: number, userdata: U, callback: Callback<U>): void {
    if (!(events & (PollEvent.readable | PollEvent.writable))) throw new XevUsageError('poll needs PollEvent.readable and/or PollEvent.writable');
    add(this.loop, idle(c).prep(OpCode.poll, this.handle, null, null, events), userdata, callback);
  }

  /** Closes the socket. Every operation still pending on it completes with ECANCELED first. */
  close<U>(c: Completion<U>, userdata: U, callback: Callback<U>): void {
    add(this.loop, idle(c).prep(OpCode.close, this.handle), userdata, callback);
  }

  /** Closes the socket at once, without a completion (pending operations complete with ECANCELED). */
  closeSync(): void {
    this.loop.backend.closeSync(this.handle);
  }

  /** Sets socket options (no-delay, keep-alive, reuse, buffer sizes); throws an `XevError` on failure. */
  setOptions(options: SocketOptions): void {
    applyOptions(this.loop, this.handle, options);
  }

  /** The address this socket is bound to. */
  localAddress(): SocketAddress {
    return socketAddress(this.loop, this.handle, false);
  }

  /** The address of the connected peer. */
  remoteAddress(): SocketAddress {
    return socketAddress(this.loop, this.handle, true);
  }
}

function add<U>(loop: Loop, c: Completion<U>, userdata: U, callback: Callback<U>): void {
  c.userdata = userdata;
  c.callback = callback;
  loop.add(c);
}
