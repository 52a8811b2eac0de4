import { Duplex } from 'node:stream';
import { CallbackAction, Completion, type Loop, OpCode, XevError, encodeAddress, errno } from '@xev/core';
import { TcpConnection } from './connection.js';
import { resolveHost } from './resolve.js';
import { TCP } from './tcp.js';
import { WriteRequest } from '@xev/core';

const ECANCELED = -(errno.ECANCELED ?? 125);

/** Reads land in slabs of this size, as in Node's own net (one allocation per 64 KiB, not per read). */
const SLAB_SIZE = 64 * 1024;
/** A read gets at least this much room; a smaller rest of a slab starts a new slab. */
const MIN_READ = 16 * 1024;

/** Options for {@link XevSocket.connect}. */
export interface XevSocketConnectOptions {
  readonly host?: string;
  readonly port: number;
  readonly family?: 4 | 6;
  /** TCP_NODELAY; default true (the latency-minded default for request/response protocols). */
  readonly noDelay?: boolean;
}

/**
 * A `stream.Duplex` over one xev TCP connection, with the parts of `net.Socket` that Node's `tls`,
 * `http` and the `ws` package use (`connecting`, `'connect'`, `setNoDelay`, `setKeepAlive`,
 * `setTimeout`, addresses, `bytesRead`/`bytesWritten`, `destroySoon`), so that
 *
 * - `tls.connect({ socket })` runs TLS over an xev socket,
 * - `http.request({ createConnection: () => XevSocket.connect(loop, …) })` and `ws`'s
 *   `createConnection` option run clients over it,
 * - `server.emit('connection', new XevSocket(conn))` serves an `http.Server` from an xev listener.
 *
 * Reads are issued only while the stream wants data (backpressure reaches the peer through the kernel's
 * window); writes go through the connection's ordered write queue; `end()` shuts down the sending side
 * once earlier writes are out; `destroy()` closes the socket. The loop must be attached.
 */
export class XevSocket extends Duplex {
  readonly loop: Loop;
  /** The connection, once connected. */
  connection: TcpConnection | null = null;
  /** True until the connection is established (as `net.Socket#connecting`). */
  connecting: boolean;
  bytesRead = 0;
  #bytesWritten = 0;
  readonly #read = new Completion<XevSocket>();
  #slab: Buffer = Buffer.allocUnsafe(0);
  #slabOffset = 0;
  #wantRead = false;
  /** Writes and an end that arrived while connecting. */
  #afterConnect: (() => void)[] = [];
  #timeoutMs = 0;
  #timer: NodeJS.Timeout | null = null;
  #noDelay = true;

  /** Wraps a connected socket (from `listen`/`accept`, or `connect`). */
  constructor(connection: TcpConnection | TCP | null, loop?: Loop) {
    super({ allowHalfOpen: true, decodeStrings: true });
    const conn = connection instanceof TCP ? new TcpConnection(connection) : connection;
    this.loop = conn?.loop ?? loop!;
    this.connection = conn;
    this.connecting = conn === null;
    if (!this.loop) throw new TypeError('an XevSocket needs a connection or a loop');
    if (conn) this.#applyNoDelay();
  }

  /**
   * Starts connecting and returns the socket at once (as `net.connect` does): writes wait until the
   * connection is up, `'connect'` is emitted then, and a failure destroys the socket with the `XevError`.
   */
  static connect(loop: Loop, options: XevSocketConnectOptions): XevSocket {
    const socket = new XevSocket(null, loop);
    if (options.noDelay === false) socket.#noDelay = false;
    void socket.#connect(options);
    return socket;
  }

  async #connect(options: XevSocketConnectOptions): Promise<void> {
    let tcp: TCP | null = null;
    try {
      const { address, family } = await resolveHost(options.host, options.family);
      if (this.destroyed) return;
      tcp = TCP.create(this.loop, family);
      const c = new Completion().prep(OpCode.connect, tcp.handle, null, encodeAddress(address, options.port));
      const result = await new Promise<number>((resolve) => {
        c.setCallback((_u, _l, _c, r) => void resolve(r));
        this.loop.add(c);
      });
      if (result < 0) throw XevError.fromResult(result, 'connect');
      if (this.destroyed) {
        tcp.closeSync();
        return;
      }
      this.connection = new TcpConnection(tcp);
      this.connecting = false;
      this.#applyNoDelay();
      this.emit('connect');
      this.emit('ready');
      const pending = this.#afterConnect;
      this.#afterConnect = [];
      for (const run of pending) run();
      if (this.#wantRead) this.#startRead();
    } catch (error) {
      if (tcp && !this.connection) tcp.closeSync();
      this.destroy(error as Error);
    }
  }

  override _read(): void {
    this.#wantRead = true;
    if (this.connection) this.#startRead();
  }

  #startRead(): void {
    if (this.#read.state === 'active' || this.destroyed || !this.connection) return;
    if (this.#slab.byteLength - this.#slabOffset < MIN_READ) {
      this.#slab = Buffer.allocUnsafe(SLAB_SIZE);
      this.#slabOffset = 0;
    }
    this.#read.prep(OpCode.recv, this.connection.handle, this.#slab.subarray(this.#slabOffset));
    this.#read.userdata = this;
    this.#read.callback = onRead;
    this.loop.add(this.#read);
  }

  /** @internal The read completion's result. */
  _onRead(result: number): CallbackAction {
    if (result === ECANCELED && this.destroyed) return CallbackAction.disarm;
    if (result < 0) {
      this.destroy(XevError.fromResult(result, 'read'));
      return CallbackAction.disarm;
    }
    this.#touch();
    if (result === 0) {
      this.#wantRead = false;
      this.push(null);
      return CallbackAction.disarm;
    }
    const chunk = this.#slab.subarray(this.#slabOffset, this.#slabOffset + result);
    this.#slabOffset += result;
    this.bytesRead += result;
    this.#wantRead = this.push(chunk);
    if (this.#wantRead) this.#startRead();
    return CallbackAction.disarm;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const conn = this.connection;
    if (!conn) {
      this.#afterConnect.push(() => this._write(chunk, _encoding, callback));
      return;
    }
    this.#touch();
    conn.tcp.queueWrite(new WriteRequest<undefined>(), chunk, undefined, (_u, _l, _r, result) => {
      if (result < 0) return void callback(XevError.fromResult(result, 'write'));
      this.#bytesWritten += result;
      callback();
    });
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    // One send for a corked batch (http writes headers and body this way).
    this._write(chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk)), 'buffer' as BufferEncoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const conn = this.connection;
    if (!conn) {
      this.#afterConnect.push(() => this._final(callback));
      return;
    }
    conn.end().then(() => callback(), (error: unknown) => callback(isCancel(error) ? null : (error as Error)));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearTimer();
    const conn = this.connection;
    if (!conn) return callback(error);
    conn.close().then(() => callback(error), () => callback(error));
  }

  /** As `net.Socket#destroySoon`: end, then destroy once the writes are out. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** TCP_NODELAY, as `net.Socket#setNoDelay`. */
  setNoDelay(noDelay = true): this {
    this.#noDelay = noDelay;
    this.#applyNoDelay();
    return this;
  }

  /** SO_KEEPALIVE, as `net.Socket#setKeepAlive` (the initial delay is the system's). */
  setKeepAlive(enable = false): this {
    if (this.connection && !this.destroyed) this.connection.setOptions({ keepAlive: enable });
    return this;
  }

  /** Emits `'timeout'` after `ms` without reads or writes (`0` disables), as `net.Socket#setTimeout`. */
  setTimeout(ms: number, callback?: () => void): this {
    this.#timeoutMs = ms;
    if (callback) {
      if (ms === 0) this.off('timeout', callback);
      else this.once('timeout', callback);
    }
    this.#touch();
    return this;
  }

  /** No-ops kept for `net.Socket` compatibility: the loop, not this socket, keeps Node alive. */
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  get bytesWritten(): number {
    return this.#bytesWritten;
  }
  get remoteAddress(): string | undefined {
    return this.#addr(true)?.address;
  }
  get remotePort(): number | undefined {
    return this.#addr(true)?.port;
  }
  get remoteFamily(): string | undefined {
    const a = this.#addr(true);
    return a ? `IPv${a.family}` : undefined;
  }
  get localAddress(): string | undefined {
    return this.#addr(false)?.address;
  }
  get localPort(): number | undefined {
    return this.#addr(false)?.port;
  }
  /** As `net.Socket#address()`. */
  address(): { address: string; family: string; port: number } | Record<string, never> {
    const a = this.#addr(false);
    return a ? { address: a.address, family: `IPv${a.family}`, port: a.port } : {};
  }
  /** As `net.Socket#readyState`. */
  get readyState(): string {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }

  #addr(peer: boolean): { address: string; port: number; family: 4 | 6 } | undefined {
    if (!this.connection || this.destroyed) return undefined;
    try {
      return peer ? this.connection.remoteAddress() : this.connection.localAddress();
    } catch {
      return undefined;
    }
  }

  #applyNoDelay(): void {
    if (this.connection && !this.destroyed) {
      try {
        this.connection.setOptions({ noDelay: this.#noDelay });
      } catch {
        // The socket may already be gone; the option no longer matters then.
      }
    }
  }

  #touch(): void {
    this.#clearTimer();
    if (this.#timeoutMs > 0 && !this.destroyed) {
      this.#timer = setTimeout(() => this.emit('timeout'), this.#timeoutMs);
      this.#timer.unref();
    }
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

function onRead(socket: XevSocket | undefined, _loop: Loop, _c: Completion<XevSocket>, result: number): CallbackAction {
  return socket!._onRead(result);
}

function isCancel(error: unknown): boolean {
  return error instanceof XevError && error.code === 'ECANCELED';
}
