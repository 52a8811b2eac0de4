import { Addr, type Completion, type Loop, SockOpt, XevError, XevUsageError, decodeAddress, type SocketAddress } from '@xev/core';

/** Throws the {@link XevError} for a negative result of a synchronous control call. */
export function check(result: number, what: string): number {
  if (result < 0) throw XevError.fromResult(result, what);
  return result;
}

/** Refuses an active completion before `prep` touches it, so a misuse never corrupts a pending operation. */
export function idle<U>(c: Completion<U>): Completion<U> {
  if (c.state === 'active') throw new XevUsageError('this completion is already active; wait for its callback, or cancel it, before reusing it');
  return c;
}

/** The local or peer address of a socket handle. */
export function socketAddress(loop: Loop, handle: number, peer: boolean): SocketAddress {
  const out = new Uint8Array(Addr.size);
  check(loop.backend.sockname(handle, peer, out), peer ? 'getpeername' : 'getsockname');
  return decodeAddress(out);
}

/** Socket options shared by TCP and UDP sockets; each maps onto one `setsockopt`. */
export interface SocketOptions {
  /** TCP_NODELAY: send small writes at once instead of coalescing them (Nagle). */
  readonly noDelay?: boolean;
  /** SO_KEEPALIVE: probe idle connections. */
  readonly keepAlive?: boolean;
  /** SO_REUSEADDR: bind a port that has connections in TIME_WAIT. */
  readonly reuseAddr?: boolean;
  /** SO_REUSEPORT: several sockets share one port (the kernel balances between them). */
  readonly reusePort?: boolean;
  /** SO_RCVBUF in bytes. */
  readonly recvBufferSize?: number;
  /** SO_SNDBUF in bytes. */
  readonly sendBufferSize?: number;
}

const optionCodes: Record<keyof SocketOptions, number> = {
  noDelay: SockOpt.noDelay,
  keepAlive: SockOpt.keepAlive,
  reuseAddr: SockOpt.reuseAddr,
  reusePort: SockOpt.reusePort,
  recvBufferSize: SockOpt.recvBufferSize,
  sendBufferSize: SockOpt.sendBufferSize,
};

/** Applies every option that is set; throws the first failure as an {@link XevError}. */
export function applyOptions(loop: Loop, handle: number, options: SocketOptions): void {
  for (const key of Object.keys(optionCodes) as (keyof SocketOptions)[]) {
    const value = options[key];
    if (value === undefined) continue;
    check(loop.backend.setsockopt(handle, optionCodes[key], typeof value === 'boolean' ? Number(value) : value), `setsockopt ${key}`);
  }
}
