import { type AbortOptions, Completion, type Loop, OpCode, PollEvent, ShutdownHow, XevError, XevUsageError, errno, perform, type SocketAddress } from '@xev/core';
import type { SocketOptions } from './sockets.js';
import { TCP } from './tcp.js';
import { WriteRequest } from '@xev/core';

const ECANCELED = -(errno.ECANCELED ?? 125);

/**
 * A connected TCP socket with a Promise API. `read(buf)` resolves the bytes received, or **`null` at end
 * of stream** (the peer shut down or closed; reading again keeps resolving `null`); `write(buf)` resolves
 * once the whole buffer is handed to the kernel, and concurrent writes go out in call order. Every call
 * takes an `AbortSignal` that cancels the operation in the backend (the promise rejects with an
 * `XevError` whose code is `'ECANCELED'`). The low-level watcher is `connection.tcp`.
 */
export class TcpConnection {
  readonly loop: Loop;
  readonly tcp: TCP;
  #closed = false;
  #closing: Promise<void> | null = null;
  /** Settles after the latest write (never rejects): `end()` waits for it. */
  #lastWrite: Promise<unknown> = Promise.resolve();

  constructor(tcp: TCP) {
    this.loop = tcp.loop;
    this.tcp = tcp;
  }

  /** The backend's handle. */
  get handle(): number {
    return this.tcp.handle;
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Receives into `buffer`; resolves the byte count, or `null` at end of stream. */
  async read(buffer: ArrayBufferView, options: AbortOptions = {}): Promise<number | null> {
    this.#open();
    const n = await perform(this.loop, new Completion().prep(OpCode.recv, this.handle, buffer), options);
    return n === 0 ? null : n;
  }

  /**
   * Sends all of `data` (a string is sent as UTF-8) after every earlier `write`, continuing partial sends;
   * resolves its length. Aborting a write that is still waiting removes it; aborting the one in the kernel
   * cancels it, after which the stream may hold part of it.
   */
  write(data: Uint8Array | string, options: AbortOptions = {}): Promise<number> {
    if (this.#closed) return Promise.reject(new XevUsageError('the connection is closed'));
    const written = this.#write(data, options);
    this.#lastWrite = written.catch(() => undefined);
    return written;
  }

  #write(data: Uint8Array | string, options: AbortOptions): Promise<number> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (bytes.byteLength === 0) return Promise.resolve(0);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(aborted(signal));
    return new Promise<number>((resolve, reject) => {
      const request = new WriteRequest<undefined>();
      let onAbort: (() => void) | undefined;
      this.tcp.queueWrite(request, bytes, undefined, (_u, _loop, _req, result) => {
        if (onAbort) signal!.removeEventListener('abort', onAbort);
        if (result >= 0) resolve(result);
        else reject(result === ECANCELED && signal?.aborted ? aborted(signal) : XevError.fromResult(result, 'write'));
      });
      if (signal) {
        onAbort = () => {
          const queue = this.tcp.writeQueue;
          if (!queue.remove(request, ECANCELED) && queue.head === request && request.completion.state === 'active') {
            this.loop.add(new Completion().prepCancel(request.completion));
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  /** Resolves once the socket is readable (data or EOF waiting), consuming nothing. */
  async readable(options: AbortOptions = {}): Promise<void> {
    this.#open();
    await perform(this.loop, new Completion().prep(OpCode.poll, this.handle, null, null, PollEvent.readable), options);
  }

  /** Shuts down the sending side once earlier writes are out: the peer reads EOF. */
  async end(options: AbortOptions = {}): Promise<void> {
    this.#open();
    await this.#lastWrite;
    await perform(this.loop, new Completion().prep(OpCode.shutdown, this.handle, null, null, ShutdownHow.write), options);
  }

  /** Closes the socket; pending reads and writes reject with ECANCELED first. Closing twice is a no-op. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#closing = perform(this.loop, new Completion().prep(OpCode.close, this.handle)).then(() => undefined);
    return this.#closing;
  }

  /** Sets socket options (no-delay, keep-alive, buffer sizes). */
  setOptions(options: SocketOptions): this {
    this.tcp.setOptions(options);
    return this;
  }

  /** The local address. */
  localAddress(): SocketAddress {
    return this.tcp.localAddress();
  }

  /** The peer's address. */
  remoteAddress(): SocketAddress {
    return this.tcp.remoteAddress();
  }

  #open(): void {
    if (this.#closed) throw new XevUsageError('the connection is closed');
  }
}

function aborted(signal: AbortSignal): XevError {
  const error = new XevError('ECANCELED', -ECANCELED, 'write was aborted', 'write');
  (error as { cause?: unknown }).cause = signal.reason;
  return error;
}
