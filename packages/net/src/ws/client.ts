import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Loop } from '@xev/core';
import { XevSocket } from '../duplex.js';
import { checkHandshakeResponse, handshakeRequest } from './handshake.js';
import { CloseCode, encodeFrame, FrameDecoder, isValidCloseCode, Opcode, WebSocketProtocolError } from './frame.js';

/** Options for {@link connectWebSocket}. */
export interface WebSocketOptions {
  /** Subprotocols to offer (`Sec-WebSocket-Protocol`). */
  readonly protocols?: readonly string[];
  /** Extra request headers (`Origin`, `Authorization`, …). */
  readonly headers?: Record<string, string>;
  /** `wss:` only: certificate authorities to trust instead of Node's bundle (a self-signed certificate). */
  readonly ca?: string | Buffer | (string | Buffer)[];
  /** `wss:` only: refuse an untrusted certificate; default true. */
  readonly rejectUnauthorized?: boolean;
  /** Largest message (after reassembly) accepted, in bytes; default 64 MiB. Larger fails with 1009. */
  readonly maxPayload?: number;
  /**
   * Offer permessage-deflate (RFC 7692) without context takeover; default false. Messages of at least
   * 1 KiB are then compressed, each on its own, with synchronous zlib calls on the loop's thread.
   */
  readonly perMessageDeflate?: boolean;
  /** Milliseconds the opening handshake may take; default 10,000. */
  readonly handshakeTimeout?: number;
  /** Aborting before the connection opens cancels it. */
  readonly signal?: AbortSignal;
}

/** How a connection ended. `wasClean` is true after a completed close handshake. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  /** What failed the connection, if something did (a malformed frame, a dropped socket). */
  readonly error?: Error;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Opens a WebSocket (RFC 6455) to a `ws:` or `wss:` URL over an xev TCP socket (TLS through Node's `tls`
 * over the {@link XevSocket} bridge) and resolves the open {@link WebSocketClient}. Rejects with a clear
 * Error if the handshake fails (status, Upgrade, Connection, Sec-WebSocket-Accept, subprotocol).
 */
export async function connectWebSocket(loop: Loop, url: string | URL, options: WebSocketOptions = {}): Promise<WebSocketClient> {
  const target = new URL(url);
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') throw new TypeError(`a WebSocket URL starts with ws: or wss:, not ${target.protocol}`);
  const secure = target.protocol === 'wss:';
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || (secure ? 443 : 80));
  const raw = XevSocket.connect(loop, { host, port });
  const socket: Duplex = secure
    ? tls.connect({ socket: raw, servername: /^[\d.:]+$/.test(host) ? undefined : host, ca: options.ca, rejectUnauthorized: options.rejectUnauthorized ?? true })
    : raw;
  const protocols = options.protocols ?? [];
  const deflateOffered = options.perMessageDeflate === true;
  const { request, key } = handshakeRequest(target, protocols, options.headers ?? {}, deflateOffered);
  return new Promise<WebSocketClient>((resolve, reject) => {
    let head: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`WebSocket handshake timed out after ${options.handshakeTimeout ?? 10_000} ms`)), options.handshakeTimeout ?? 10_000);
    const onAbort = () => fail(new Error('the WebSocket connection was aborted'));
    const cleanup = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.off('data', onData);
      socket.off('error', fail);
      socket.off('end', onEnd);
    };
    function fail(error: Error): void {
      cleanup();
      socket.destroy();
      reject(error);
    }
    const onEnd = () => fail(new Error('WebSocket handshake failed: the server closed the connection before answering'));
    const onData = (chunk: Buffer) => {
      head = head.byteLength === 0 ? chunk : Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.byteLength > 16 * 1024) fail(new Error('WebSocket handshake failed: the response head exceeds 16 KiB'));
        return;
      }
      try {
        const response = checkHandshakeResponse(head.subarray(0, end).toString('latin1'), key, protocols, deflateOffered);
        cleanup();
        resolve(new WebSocketClient(socket, target.href, response.protocol, options.maxPayload ?? 64 * 1024 * 1024, head.subarray(end + 4), response.deflate));
      } catch (error) {
        fail(error as Error);
      }
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('data', onData);
    socket.on('error', fail);
    socket.on('end', onEnd);
    socket.write(request);
  });
}

/**
 * An open WebSocket. Messages arrive as `'message'` events (`(data, isBinary)`: a string for text, a
 * Buffer for binary) or through `for await (const { data, isBinary } of ws)`; fragmented messages are
 * reassembled, text is validated as UTF-8, pings are answered with pongs. `close()` performs the close
 * handshake. A peer that breaks the protocol gets the matching close code (1002, 1007, 1009) and the
 * connection fails with a {@link WebSocketProtocolError} (`'error'`, then `'close'`); messages received
 * before the bad frame have been delivered, and nothing else on the loop is affected.
 */
export class WebSocketClient extends EventEmitter {
  readonly url: string;
  /** The negotiated subprotocol, or ''. */
  readonly protocol: string;
  /** Whether permessage-deflate was negotiated. */
  readonly compressed: boolean;
  /** `open`, `closing` (a close frame was sent or received) or `closed`. */
  readyState: 'open' | 'closing' | 'closed' = 'open';
  /** Settles when the connection has ended, however it ended. */
  readonly closed: Promise<CloseInfo>;
  readonly #socket: Duplex;
  readonly #decoder: FrameDecoder;
  readonly #maxPayload: number;
  #fragments: Buffer[] = [];
  #fragmentBytes = 0;
  #fragmentOpcode = -1;
  #fragmentCompressed = false;
  #closeSent = false;
  #closeInfo: { code: number; reason: string } | null = null;
  #error: Error | undefined;
  #settle!: (info: CloseInfo) => void;
  #closeTimer: NodeJS.Timeout | null = null;

  /** @internal Use {@link connectWebSocket}. */
  constructor(socket: Duplex, url: string, protocol: string, maxPayload: number, rest: Buffer, compressed = false) {
    super();
    this.url = url;
    this.protocol = protocol;
    this.compressed = compressed;
    this.#socket = socket;
    this.#maxPayload = maxPayload;
    this.#decoder = new FrameDecoder(maxPayload, compressed);
    this.closed = new Promise((resolve) => (this.#settle = resolve));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#socket.end());
    socket.on('error', (error: Error) => (this.#error ??= error));
    socket.on('close', () => this.#finish());
    // Frames wait a macrotask (the socket paused, those that came with the handshake kept aside), so the
    // caller of connectWebSocket has attached its listeners by the time the first one is delivered.
    socket.pause();
    setImmediate(() => {
      if (rest.byteLength > 0) this.#onData(rest);
      socket.resume();
    });
  }

  /** Sends a text (string) or binary (bytes) message; `fragmentSize` splits it into continuation frames. */
  send(data: string | Uint8Array, options: { binary?: boolean; fragmentSize?: number } = {}): Promise<void> {
    if (this.readyState !== 'open') return Promise.reject(new Error(`cannot send: the WebSocket is ${this.readyState}`));
    let payload = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const opcode = typeof data === 'string' && !options.binary ? Opcode.text : Opcode.binary;
    // RFC 7692 §7.2.1: compress, then drop the final empty block's 00 00 ff ff.
    const compress = this.compressed && payload.byteLength >= 1024;
    if (compress) {
      const deflated = deflateRawSync(payload, { finishFlush: 2 /* Z_SYNC_FLUSH */ });
      payload = deflated.subarray(0, deflated.byteLength - 4);
    }
    const size = options.fragmentSize && options.fragmentSize > 0 ? options.fragmentSize : payload.byteLength || 1;
    const frames: Buffer[] = [];
    for (let at = 0; at < payload.byteLength || frames.length === 0; at += size) {
      frames.push(encodeFrame(at === 0 ? opcode : Opcode.continuation, payload.subarray(at, at + size), at + size >= payload.byteLength, compress && at === 0));
    }
    return this.#write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
  }

  /** Sends a ping (at most 125 bytes of payload); the answer arrives as a `'pong'` event. */
  ping(data: Uint8Array | string = Buffer.alloc(0)): Promise<void> {
    const payload = Buffer.from(data as Uint8Array);
    if (payload.byteLength > 125) return Promise.reject(new RangeError('a ping payload is at most 125 bytes'));
    return this.#write(encodeFrame(Opcode.ping, payload));
  }

  /**
   * Starts the close handshake with `code` and `reason` and resolves when the connection has ended. The
   * socket is dropped if the server does not answer within 5 seconds.
   */
  close(code: number = CloseCode.normal, reason = ''): Promise<CloseInfo> {
    if (!isValidCloseCode(code)) throw new RangeError(`${code} is not a close code a client may send`);
    if (Buffer.byteLength(reason) > 123) throw new RangeError('a close reason is at most 123 bytes of UTF-8');
    this.#sendClose(code, reason);
    return this.closed;
  }

  /**
   * Messages as an async iterator: `for await (const { data, isBinary } of ws)`. It starts listening when
   * created, so no message is missed between creating it and the first `next()`. It ends when the
   * connection closes, and throws the error of a failed connection.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<{ data: string | Buffer; isBinary: boolean }> {
    type Message = { data: string | Buffer; isBinary: boolean };
    const queue: Message[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const onMessage = (data: string | Buffer, isBinary: boolean) => {
      queue.push({ data, isBinary });
      wake?.();
    };
    this.on('message', onMessage);
    void this.closed.then(() => {
      done = true;
      this.off('message', onMessage);
      wake?.();
    });
    const iterator: AsyncIterableIterator<Message> = {
      next: async (): Promise<IteratorResult<Message>> => {
        for (;;) {
          if (queue.length > 0) return { done: false, value: queue.shift()! };
          if (done) {
            const info = await this.closed;
            if (info.error) throw info.error;
            return { done: true, value: undefined };
          }
          await new Promise<void>((r) => (wake = r));
          wake = null;
        }
      },
      return: async (): Promise<IteratorResult<Message>> => {
        this.off('message', onMessage);
        done = true;
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  #write(frame: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.#socket.write(frame, (error) => (error ? reject(error) : resolve())));
  }

  #onData(chunk: Buffer): void {
    if (this.readyState === 'closed') return;
    this.#decoder.push(chunk);
    try {
      for (let frame = this.#decoder.next(); frame; frame = this.#decoder.next()) {
        this.#onFrame(frame.fin, frame.opcode, frame.payload, frame.rsv1);
        if (this.#closeInfo) return; // nothing after the server's close frame counts
      }
    } catch (error) {
      if (!(error instanceof WebSocketProtocolError)) throw error;
      this.#fail(error);
    }
  }

  #onFrame(fin: boolean, opcode: number, payload: Buffer, rsv1: boolean): void {
    switch (opcode) {
      case Opcode.ping:
        if (!this.#closeSent) void this.#write(encodeFrame(Opcode.pong, payload)).catch(() => {});
        this.emit('ping', payload);
        return;
      case Opcode.pong:
        this.emit('pong', payload);
        return;
      case Opcode.close:
        return this.#onClose(payload);
      case Opcode.continuation:
        if (this.#fragmentOpcode < 0) throw new WebSocketProtocolError(CloseCode.protocolError, 'malformed frame: a continuation frame with no message to continue');
        break;
      default:
        if (this.#fragmentOpcode >= 0) throw new WebSocketProtocolError(CloseCode.protocolError, 'malformed frame: a new data frame inside a fragmented message');
        this.#fragmentOpcode = opcode;
        this.#fragmentCompressed = rsv1;
    }
    this.#fragmentBytes += payload.byteLength;
    if (this.#fragmentBytes > this.#maxPayload) throw new WebSocketProtocolError(CloseCode.messageTooBig, `a message over maxPayload (${this.#maxPayload} bytes)`);
    this.#fragments.push(payload);
    if (!fin) return;
    let whole = this.#fragments.length === 1 ? this.#fragments[0] : Buffer.concat(this.#fragments, this.#fragmentBytes);
    const isBinary = this.#fragmentOpcode === Opcode.binary;
    const inflate = this.#fragmentCompressed;
    this.#fragments = [];
    this.#fragmentBytes = 0;
    this.#fragmentOpcode = -1;
    this.#fragmentCompressed = false;
    if (inflate) whole = this.#inflate(whole);
    if (isBinary) return void this.emit('message', whole, true);
    let text: string;
    try {
      text = utf8.decode(whole);
    } catch {
      throw new WebSocketProtocolError(CloseCode.invalidPayload, 'invalid UTF-8 in a text message');
    }
    this.emit('message', text, false);
  }

  /** Decompresses one message (RFC 7692 §7.2.2), within maxPayload. */
  #inflate(data: Buffer): Buffer {
    try {
      return inflateRawSync(Buffer.concat([data, Buffer.from([0x00, 0x00, 0xff, 0xff])]), { finishFlush: 2 /* Z_SYNC_FLUSH */, maxOutputLength: this.#maxPayload });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new WebSocketProtocolError(CloseCode.messageTooBig, `a message that inflates beyond maxPayload (${this.#maxPayload} bytes)`);
      throw new WebSocketProtocolError(CloseCode.invalidPayload, `a compressed message that does not inflate: ${(error as Error).message}`);
    }
  }

  #onClose(payload: Buffer): void {
    let code: number = CloseCode.noStatus;
    let reason = '';
    if (payload.byteLength === 1) throw new WebSocketProtocolError(CloseCode.protocolError, 'malformed frame: a close frame with a 1-byte payload');
    if (payload.byteLength >= 2) {
      code = payload.readUInt16BE(0);
      if (!isValidCloseCode(code)) throw new WebSocketProtocolError(CloseCode.protocolError, `malformed frame: invalid close code ${code}`);
      try {
        reason = utf8.decode(payload.subarray(2));
      } catch {
        throw new WebSocketProtocolError(CloseCode.invalidPayload, 'invalid UTF-8 in the close reason');
      }
    }
    this.#closeInfo = { code, reason };
    // Echo the close (RFC 6455 §5.5.1), then end our side; the server closes the TCP connection.
    this.#sendClose(code === CloseCode.noStatus ? CloseCode.normal : code, '');
    this.#socket.end();
  }

  #sendClose(code: number, reason: string): void {
    if (this.readyState === 'closed' || this.#closeSent) return;
    this.#closeSent = true;
    this.readyState = 'closing';
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.#socket.write(encodeFrame(Opcode.close, payload));
    this.#closeTimer = setTimeout(() => this.#socket.destroy(), 5000);
    this.#closeTimer.unref();
  }

  #fail(error: WebSocketProtocolError): void {
    if (this.readyState === 'closed') return;
    this.#error = error;
    this.#closeInfo = { code: error.closeCode, reason: '' };
    this.#sendClose(error.closeCode, error.message.slice(0, 123));
    this.#socket.end();
    // Do not wait for a server that breaks the protocol to finish the handshake.
    setTimeout(() => this.#socket.destroy(), 100).unref();
  }

  #finish(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    const clean = this.#closeInfo !== null && this.#closeSent && this.#error === undefined;
    const info: CloseInfo = {
      code: this.#closeInfo?.code ?? CloseCode.abnormal,
      reason: this.#closeInfo?.reason ?? '',
      wasClean: clean,
      ...(this.#error ? { error: this.#error } : {}),
    };
    if (this.#error && this.listenerCount('error') > 0) this.emit('error', this.#error);
    this.emit('close', info.code, info.reason);
    this.#settle(info);
  }
}
