import { Addr, type Callback, type Completion, type Loop, OpCode, SockType, XevUsageError, encodeAddress, type SocketAddress } from '@xev/core';
import { applyOptions, check, idle, socketAddress, type SocketOptions } from './sockets.js';

/**
 * A UDP socket in libxev's shape. `read` receives one datagram and the sender's address (into a
 * caller-owned `Uint8Array(Addr.size)`; decode it with `decodeAddress`); `write` sends one datagram to
 * an encoded address. Each operation carries its own address buffer in its completion, so any number of
 * sends and receives may be outstanding on one socket at once and none is dropped or mixed up (the
 * reason libxev's UDP needs a `State` per operation).
 */
export class UDP {
  readonly loop: Loop;
  readonly handle: number;

  /** Wraps a datagram socket handle. */
  constructor(loop: Loop, handle: number) {
    if (!Number.isInteger(handle) || handle < 0) throw new XevUsageError(`a UDP socket needs a handle (a non-negative integer), not ${String(handle)}`);
    this.loop = loop;
    this.handle = handle;
  }

  /** A new datagram socket for IPv4 (`4`) or IPv6 (`6`). */
  static create(loop: Loop, family: 4 | 6 = 4): UDP {
    if (family !== 4 && family !== 6) throw new XevUsageError(`family must be 4 or 6, not ${String(family)}`);
    return new UDP(loop, check(loop.backend.socket(family, SockType.dgram), 'socket'));
  }

  /** Binds to a numeric address and port (`0` picks one). */
  bind(address: string, port: number): void {
    check(this.loop.backend.bind(this.handle, encodeAddress(address, port)), `bind ${address}:${port}`);
  }

  /** Receives one datagram into `buffer`; `from` receives the sender's encoded address. */
  read<U>(c: Completion<U>, buffer: ArrayBufferView, from: Uint8Array, userdata: U, callback: Callback<U>): void {
    if (!(from instanceof Uint8Array) || from.byteLength < Addr.size) throw new XevUsageError(`read needs a Uint8Array(${Addr.size}) for the sender's address`);
    add(this.loop, idle(c).prep(OpCode.recvfrom, this.handle, buffer, from), userdata, callback);
  }

  /** Sends `buffer` as one datagram to `to`, an address encoded with `encodeAddress` (or a numeric address and port). */
  write<U>(c: Completion<U>, buffer: ArrayBufferView, to: Uint8Array | SocketAddress, userdata: U, callback: Callback<U>): void {
    const encoded = to instanceof Uint8Array ? to : encodeAddress(to.address, to.port);
    if (encoded.byteLength < Addr.size) throw new XevUsageError('write needs an encoded destination address');
    add(this.loop, idle(c).prep(OpCode.sendto, this.handle, buffer, encoded), userdata, callback);
  }

  /** Closes the socket; pending operations complete with ECANCELED first. */
  close<U>(c: Completion<U>, userdata: U, callback: Callback<U>): void {
    add(this.loop, idle(c).prep(OpCode.close, this.handle), userdata, callback);
  }

  /** Closes the socket at once, without a completion. */
  closeSync(): void {
    this.loop.backend.closeSync(this.handle);
  }

  /** Sets socket options (reuse, buffer sizes); throws an `XevError` on failure. */
  setOptions(options: SocketOptions): void {
    applyOptions(this.loop, this.handle, options);
  }

  /** The address this socket is bound to. (On the portable backend, known once the bind has happened.) */
  localAddress(): SocketAddress {
    return socketAddress(this.loop, this.handle, false);
  }
}

function add<U>(loop: Loop, c: Completion<U>, userdata: U, callback: Callback<U>): void {
  c.userdata = userdata;
  c.callback = callback;
  loop.add(c);
}
