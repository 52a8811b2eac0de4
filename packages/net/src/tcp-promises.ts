import { type AbortOptions, Completion, type Loop, OpCode, XevError, encodeAddress, errno, perform, type SocketAddress } from '@xev/core';
import { TcpConnection } from './connection.js';
import { type HostPort, resolveHost } from './resolve.js';
import type { SocketOptions } from './sockets.js';
import { TCP } from './tcp.js';

const ECANCELED = -(errno.ECANCELED ?? 125);

/** Options for {@link connect}: where to, socket options applied before connecting, and a signal. */
export interface ConnectOptions extends HostPort, SocketOptions, AbortOptions {}

/**
 * Connects to `host:port` on `loop` and resolves a {@link TcpConnection}. Rejects with an `XevError`
 * (`'ECONNREFUSED'`, `'ETIMEDOUT'`, `'ECANCELED'` when aborted, …); the socket is released on failure.
 */
export async function connect(loop: Loop, options: ConnectOptions): Promise<TcpConnection> {
  const { address, family } = await resolveHost(options.host, options.family);
  const tcp = TCP.create(loop, family);
  try {
    tcp.setOptions(options);
    await perform(loop, new Completion().prep(OpCode.connect, tcp.handle, null, encodeAddress(address, options.port)), options);
  } catch (error) {
    tcp.closeSync();
    throw error;
  }
  return new TcpConnection(tcp);
}

/** Options for {@link listen}. */
export interface ListenOptions extends SocketOptions {
  /** Default `'127.0.0.1'`; `'0.0.0.0'` or `'::'` for every interface. */
  readonly host?: string;
  /** Default `0`: the kernel picks a free port (read it from `listener.address`). */
  readonly port?: number;
  readonly family?: 4 | 6;
  /** Pending connections the kernel holds; default 511 (Node's). */
  readonly backlog?: number;
}

/**
 * Binds and listens, and resolves a {@link TcpListener}: `for await (const conn of listener)` serves
 * incoming connections until `listener.close()`. `reuseAddr` defaults to true, as in Node.
 */
export async function listen(loop: Loop, options: ListenOptions = {}): Promise<TcpListener> {
  const { address, family } = await resolveHost(options.host ?? '127.0.0.1', options.family);
  const tcp = TCP.create(loop, family);
  try {
    tcp.setOptions({ reuseAddr: true, ...options });
    tcp.bind(address, options.port ?? 0);
    tcp.listen(options.backlog ?? 511);
  } catch (error) {
    tcp.closeSync();
    throw error;
  }
  return new TcpListener(tcp);
}

/**
 * A listening socket with a Promise API. `accept()` resolves the next connection; iterating the listener
 * with `for await` does the same until the listener is closed (the pending accept is cancelled and the
 * loop ends). An accept that fails otherwise (`EMFILE` when descriptors run out) throws out of the loop
 * with that `XevError`.
 */
export class TcpListener implements AsyncIterable<TcpConnection> {
  readonly loop: Loop;
  readonly tcp: TCP;
  /** The bound address (with the port the kernel picked). */
  readonly address: SocketAddress;
  #closed = false;

  constructor(tcp: TCP) {
    this.loop = tcp.loop;
    this.tcp = tcp;
    this.address = tcp.localAddress();
  }

  /** Resolves the next incoming connection. */
  async accept(options: AbortOptions = {}): Promise<TcpConnection> {
    const handle = await perform(this.loop, new Completion().prep(OpCode.accept, this.tcp.handle), options);
    return new TcpConnection(new TCP(this.loop, handle));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TcpConnection> {
    while (!this.#closed) {
      try {
        yield await this.accept();
      } catch (error) {
        if (this.#closed && error instanceof XevError && -error.errno === ECANCELED) return;
        throw error;
      }
    }
  }

  /** Stops listening; a pending `accept` rejects with ECANCELED and `for await` loops end. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await perform(this.loop, new Completion().prep(OpCode.close, this.tcp.handle));
  }
}
