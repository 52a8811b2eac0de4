/**
 * An exchange simulator on loopback that speaks Binance spot's wire formats: an HTTP server for the
 * signed REST API (it verifies the HMAC signature and the API key, as the exchange does) and a `ws`
 * WebSocket server on the same port for market streams (`/ws` + SUBSCRIBE) and the user-data stream
 * (`/ws/<listenKey>`). Tests drive it: print trades, replay a CSV as a live stream, drop every
 * connection, send malformed frames or JSON.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';
import type { OhlcvSeries } from '../../data/ohlcv.js';
import { MatchingEngine, SimReject, type MatchingOptions } from './matching-engine.js';

// `ws` is loaded at run time rather than bundled: it is the reference server implementation the
// adapters are tested against, and a bundled copy would drift from the installed one.
const require_ = createRequire(import.meta.url);

/** Simulator settings. */
export interface SimulatorOptions extends Partial<MatchingOptions> {
  /** The API key and secret the simulator accepts (signatures are checked with the secret). */
  apiKey?: string;
  apiSecret?: string;
}

/** What the tests can count. */
export interface SimulatorStats {
  restRequests: number;
  ordersPlaced: number;
  signatureFailures: number;
  marketConnections: number;
  userConnections: number;
}

/** A Binance-compatible exchange on 127.0.0.1. */
export class ExchangeSimulator {
  readonly engine: MatchingEngine;
  readonly stats: SimulatorStats = { restRequests: 0, ordersPlaced: 0, signatureFailures: 0, marketConnections: 0, userConnections: 0 };
  /** Streams each market socket subscribed to. */
  readonly #subs = new Map<WebSocket, Set<string>>();
  readonly #users = new Set<WebSocket>();
  readonly #listenKeys = new Set<string>();
  #server!: Server;
  #wss!: WebSocketServer;
  #port = 0;
  /** While true, REST answers 503 (an exchange outage). */
  restDown = false;

  constructor(private readonly o: SimulatorOptions = {}) {
    this.engine = new MatchingEngine({
      symbols: o.symbols ?? { BTCUSDT: { base: 'BTC', quote: 'USDT' } },
      balances: o.balances ?? { USDT: 1_000_000, BTC: 0 },
      levelQty: o.levelQty, levelStep: o.levelStep, minQty: o.minQty, feeRate: o.feeRate,
    });
    this.engine.onReport = (r) => this.#toUsers(JSON.stringify(r));
  }

  /** `http://127.0.0.1:PORT` for the REST API. */
  get restUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** `ws://127.0.0.1:PORT` for the streams. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  /** Starts listening on a free loopback port. */
  async start(port = 0): Promise<this> {
    const { WebSocketServer: Wss } = require_('ws') as typeof import('ws');
    this.#server = createServer((req, res) => void this.#rest(req, res));
    // Keep idle REST connections as long as a trading client does (Node's default is 5 s): a client
    // whose socket is closed while idle learns it only from EOF, and a request raced against that close is lost.
    this.#server.keepAliveTimeout = 120_000;
    this.#wss = new Wss({ server: this.#server });
    this.#wss.on('connection', (ws, req) => this.#onSocket(ws, req));
    await new Promise<void>((r) => this.#server.listen(port, '127.0.0.1', r));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  /** How many market sockets are subscribed to `stream` (e.g. `btcusdt@trade`). */
  subscribers(stream: string): number {
    let n = 0;
    for (const set of this.#subs.values()) if (set.has(stream)) n++;
    return n;
  }

  /** Number of open market and user WebSocket connections. */
  get connections(): { market: number; user: number } {
    return { market: this.#subs.size, user: this.#users.size };
  }

  /** A trade prints: matching, then `trade` (and a bookTicker) to subscribers. */
  trade(symbol: string, price: number, qty: number, time = Date.now()): void {
    this.engine.trade(symbol, price, qty);
    const s = symbol.toLowerCase();
    this.#toMarket(`${s}@trade`, JSON.stringify({ e: 'trade', E: time, s: symbol, t: Math.floor(Math.random() * 1e9), p: String(price), q: String(qty), T: time, m: false, M: true }));
    const tick = price * 0.0001;
    this.#toMarket(`${s}@bookTicker`, JSON.stringify({ u: time, s: symbol, b: String(price - tick), B: '1', a: String(price + tick), A: '1' }));
  }

  /** A closed (or updating) kline on the `1m` stream. */
  kline(symbol: string, bar: { time: number; open: number; high: number; low: number; close: number; volume: number }, closed = true, interval = '1m'): void {
    const k = { t: bar.time, T: bar.time + 59_999, s: symbol, i: interval, o: String(bar.open), c: String(bar.close), h: String(bar.high), l: String(bar.low), v: String(bar.volume), n: 1, x: closed };
    this.#toMarket(`${symbol.toLowerCase()}@kline_${interval}`, JSON.stringify({ e: 'kline', E: Date.now(), s: symbol, k }));
  }

  /**
   * Replays a series as a live stream: per bar, trades at open, high, low and close (each a quarter of
   * the volume, so resting limits see realistic partial sizes) and then the closed kline. `everyMs` 0
   * replays as fast as the loop allows (one bar per macrotask).
   */
  async replay(symbol: string, series: OhlcvSeries, options: { everyMs?: number; from?: number; to?: number; signal?: AbortSignal } = {}): Promise<number> {
    const to = Math.min(options.to ?? series.length, series.length);
    let n = 0;
    for (let i = options.from ?? 0; i < to && !options.signal?.aborted; i++) {
      const v = series.volume[i] / 4;
      const t = series.time[i];
      for (const p of [series.open[i], series.high[i], series.low[i], series.close[i]]) this.trade(symbol, p, v, t);
      this.kline(symbol, series.bar(i));
      n++;
      await new Promise((r) => (options.everyMs ? setTimeout(r, options.everyMs) : setImmediate(r)));
    }
    return n;
  }

  /** Drops every WebSocket connection without a close handshake (a network failure). */
  dropConnections(): void {
    for (const ws of [...this.#subs.keys(), ...this.#users]) ws.terminate();
  }

  /** Sends raw text to every market subscriber (malformed JSON tests). */
  sendRawText(text: string): void {
    for (const ws of this.#subs.keys()) ws.send(text);
  }

  /** Writes raw bytes on every market socket, below the WebSocket framing (malformed frame tests). */
  sendRawBytes(bytes: Buffer): void {
    for (const ws of this.#subs.keys()) ((ws as unknown as { _socket: Socket })._socket).write(bytes);
  }

  /** Closes everything. */
  async stop(): Promise<void> {
    for (const ws of [...this.#subs.keys(), ...this.#users]) ws.terminate();
    await new Promise<void>((r) => this.#wss.close(() => r()));
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  #onSocket(ws: WebSocket, req: IncomingMessage): void {
    const path = (req.url ?? '/').split('?')[0];
    ws.on('error', () => {});
    if (path.startsWith('/ws/')) {
      if (!this.#listenKeys.has(path.slice(4))) return ws.close(1008, 'invalid listen key');
      this.stats.userConnections++;
      this.#users.add(ws);
      ws.on('close', () => this.#users.delete(ws));
      return;
    }
    this.stats.marketConnections++;
    this.#subs.set(ws, new Set());
    ws.on('close', () => this.#subs.delete(ws));
    ws.on('message', (data) => {
      let m: { method?: string; params?: string[]; id?: number };
      try {
        m = JSON.parse(String(data));
      } catch {
        return ws.send(JSON.stringify({ error: { code: 2, msg: 'Invalid JSON' } }));
      }
      const set = this.#subs.get(ws);
      if (m.method === 'SUBSCRIBE' && set) for (const p of m.params ?? []) set.add(p);
      if (m.method === 'UNSUBSCRIBE' && set) for (const p of m.params ?? []) set.delete(p);
      ws.send(JSON.stringify({ result: null, id: m.id ?? null }));
    });
  }

  #toMarket(stream: string, text: string): void {
    for (const [ws, set] of this.#subs) if (set.has(stream) && ws.readyState === 1) ws.send(text);
  }

  #toUsers(text: string): void {
    for (const ws of this.#users) if (ws.readyState === 1) ws.send(text);
  }

  async #rest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.restRequests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (this.restDown) return reply(503, { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' });
    try {
      const route = `${req.method} ${url.pathname}`;
      if (route === 'GET /api/v3/ping') return reply(200, {});
      if (route === 'POST /api/v3/userDataStream' || route === 'PUT /api/v3/userDataStream') {
        this.#checkKey(req);
        const key = randomBytes(30).toString('base64url').replace(/[-_]/g, 'x');
        this.#listenKeys.add(key);
        return reply(200, route.startsWith('POST') ? { listenKey: key } : {});
      }
      const q = this.#checkSigned(req, url);
      const num = (k: string) => Number(q.get(k));
      switch (route) {
        case 'POST /api/v3/order': {
          this.stats.ordersPlaced++;
          const o = this.engine.place({
            symbol: q.get('symbol') ?? '', side: q.get('side') ?? '', type: q.get('type') ?? '', quantity: num('quantity'),
            price: q.has('price') ? num('price') : undefined, newClientOrderId: q.get('newClientOrderId') ?? undefined,
          });
          return reply(200, this.engine.get(o.symbol, o.clientOrderId));
        }
        case 'DELETE /api/v3/order':
          return reply(200, this.engine.cancel(q.get('symbol') ?? '', q.get('origClientOrderId') ?? ''));
        case 'GET /api/v3/order':
          return reply(200, this.engine.get(q.get('symbol') ?? '', q.get('origClientOrderId') ?? ''));
        case 'GET /api/v3/openOrders':
          return reply(200, this.engine.open(q.get('symbol') ?? ''));
        case 'GET /api/v3/account':
          return reply(200, { balances: [...this.engine.balances].map(([asset, v]) => ({ asset, free: String(v), locked: '0' })) });
        default:
          return reply(404, { code: -1000, msg: `unknown endpoint ${route}` });
      }
    } catch (e) {
      if (e instanceof SimReject) return reply(e.code === -1022 || e.code === -2015 ? 401 : 400, { code: e.code, msg: e.message });
      return reply(500, { code: -1000, msg: (e as Error).message });
    }
  }

  #checkKey(req: IncomingMessage): void {
    const want = this.o.apiKey ?? 'sim-key';
    if (req.headers['x-mbx-apikey'] !== want) throw new SimReject(-2015, 'Invalid API-key, IP, or permissions for action.');
  }

  // Binance signs the query string without the signature: HMAC-SHA256(secret, everything before &signature=).
  #checkSigned(req: IncomingMessage, url: URL): URLSearchParams {
    this.#checkKey(req);
    const raw = url.search.slice(1);
    const at = raw.lastIndexOf('&signature=');
    const sig = at >= 0 ? raw.slice(at + 11) : '';
    const payload = at >= 0 ? raw.slice(0, at) : raw;
    const want = createHmac('sha256', this.o.apiSecret ?? 'sim-secret').update(payload).digest();
    const got = Buffer.from(sig, 'hex');
    if (got.length !== want.length || !timingSafeEqual(got, want)) {
      this.stats.signatureFailures++;
      throw new SimReject(-1022, 'Signature for this request is not valid.');
    }
    const q = new URLSearchParams(payload);
    const ts = Number(q.get('timestamp'));
    if (!(Math.abs(Date.now() - ts) <= Number(q.get('recvWindow') ?? 5000))) throw new SimReject(-1021, 'Timestamp for this request is outside of the recvWindow.');
    return q;
  }
}
