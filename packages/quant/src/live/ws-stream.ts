/**
 * A WebSocket stream that stays up: @xev/net's RFC 6455 client on the xev loop, a heartbeat ping, a
 * staleness watchdog (nothing received for `staleMs` → drop and reconnect), reconnection with
 * exponential backoff and full jitter, and an `onOpen` hook that resubscribes on every connection.
 */
import type { Loop } from '@xev/core';
import { connectWebSocket, type WebSocketClient } from '@xev/net';

/** Options for {@link ResilientStream}. */
export interface ResilientStreamOptions {
  /** Name used in errors and logs (`binance-market`, `binance-user`). */
  name: string;
  /** The URL, computed per connection (a user-data stream's listen key can change). */
  url: () => string | Promise<string>;
  /** Runs on each open connection before messages flow: send subscriptions here. */
  onOpen: (ws: WebSocketClient, first: boolean) => Promise<void> | void;
  /** One text message and the time it was read (ns from `process.hrtime.bigint()`). */
  onMessage: (text: string, receivedNs: number) => void;
  /** A drop, a stale stream, a failed connect: reported, then retried. */
  onProblem: (error: Error) => void;
  /** Ping period, ms; default 15,000. */
  heartbeatMs?: number;
  /** No frame (message or pong) for this long means the stream is dead, ms; default 45,000. */
  staleMs?: number;
  /** First retry delay, ms; default 250. Doubles per failed attempt up to `maxBackoffMs` (default 30,000). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Uniform [0, 1) source for the jitter; injectable for tests. */
  random?: () => number;
}

/**
 * Full jitter (a uniform delay in [0, min(max, base·2^attempt)]), as in the AWS architecture blog's
 * "Exponential Backoff And Jitter": it spreads a crowd of reconnecting clients instead of having them
 * retry in lockstep after an exchange-wide drop.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

/** A self-healing WebSocket stream; `start()` resolves after the first successful open. */
export class ResilientStream {
  #ws: WebSocketClient | null = null;
  #stopped = false;
  #attempt = 0;
  #opens = 0;
  #lastFrame = 0;
  #heartbeat: NodeJS.Timeout | null = null;
  #retry: NodeJS.Timeout | null = null;
  #firstOpen: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(private readonly loop: Loop, private readonly o: ResilientStreamOptions) {}

  /** Connections opened so far (1 after start, +1 per reconnect). */
  get opens(): number {
    return this.#opens;
  }

  /** The open socket, if any. */
  get socket(): WebSocketClient | null {
    return this.#ws;
  }

  /** Connects; resolves once the first connection is open and subscribed, rejects if that fails. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#firstOpen = { resolve, reject };
      void this.#connect();
    });
  }

  /** Sends a text message on the open connection. */
  send(text: string): Promise<void> {
    if (!this.#ws) return Promise.reject(new Error(`${this.o.name}: not connected`));
    return this.#ws.send(text);
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    let ws: WebSocketClient;
    try {
      ws = await connectWebSocket(this.loop, await this.o.url(), { handshakeTimeout: 10_000 });
    } catch (e) {
      return this.#failed(new Error(`${this.o.name}: connect failed: ${redactUrl((e as Error).message)}`));
    }
    if (this.#stopped) return void ws.close().catch(() => {});
    this.#ws = ws;
    this.#lastFrame = Date.now();
    ws.on('message', (data: string | Buffer) => {
      this.#lastFrame = Date.now();
      const ns = Number(process.hrtime.bigint());
      this.o.onMessage(typeof data === 'string' ? data : data.toString('utf8'), ns);
    });
    ws.on('pong', () => (this.#lastFrame = Date.now()));
    ws.on('ping', () => (this.#lastFrame = Date.now()));
    ws.on('error', () => {}); // reported through `closed` below, once
    void ws.closed.then((info) => {
      if (this.#ws === ws) this.#ws = null;
      this.#stopHeartbeat();
      if (this.#stopped) return;
      const why = info.error ? info.error.message : `closed with code ${info.code}`;
      this.#failed(new Error(`${this.o.name}: connection lost (${why}); reconnecting`));
    });
    try {
      await this.o.onOpen(ws, this.#opens === 0);
    } catch (e) {
      ws.close(1011).catch(() => {});
      return;
    }
    this.#opens++;
    this.#attempt = 0;
    this.#startHeartbeat(ws);
    const first = this.#firstOpen;
    this.#firstOpen = null;
    first?.resolve();
  }

  #failed(error: Error): void {
    this.o.onProblem(error);
    if (this.#stopped) return;
    const first = this.#firstOpen;
    if (first && this.#attempt >= 3) {
      // The first connection failing repeatedly is a configuration problem (wrong URL), not a blip.
      this.#firstOpen = null;
      this.#stopped = true;
      return first.reject(error);
    }
    const delay = backoffDelay(this.#attempt++, this.o.backoffMs ?? 250, this.o.maxBackoffMs ?? 30_000, this.o.random);
    this.#retry = setTimeout(() => void this.#connect(), delay);
  }

  #startHeartbeat(ws: WebSocketClient): void {
    const every = this.o.heartbeatMs ?? 15_000;
    const stale = this.o.staleMs ?? 45_000;
    this.#heartbeat = setInterval(() => {
      if (Date.now() - this.#lastFrame > stale) {
        this.o.onProblem(new Error(`${this.o.name}: no data for ${stale} ms; dropping the stale connection`));
        this.#stopHeartbeat();
        // The client has no terminate(): close() drops the socket itself when a stale peer does not
        // answer the close handshake within 5 s, and the `closed` handler above then reconnects.
        ws.close(1001, 'stale').catch(() => {});
        return;
      }
      ws.ping().catch(() => {});
    }, Math.min(every, stale / 2));
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  /** Closes the stream for good. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#stopHeartbeat();
    const ws = this.#ws;
    this.#ws = null;
    if (ws && ws.readyState === 'open') await ws.close().catch(() => undefined);
    else if (ws) await ws.closed;
  }
}

/** Listen keys and tokens travel in URL paths and queries; errors echo URLs, so strip them. */
export function redactUrl(text: string): string {
  return text.replace(/(\/ws\/)[A-Za-z0-9]{16,}/g, '$1<redacted>').replace(/([?&](?:listenKey|signature|token)=)[^&\s]+/gi, '$1<redacted>');
}
