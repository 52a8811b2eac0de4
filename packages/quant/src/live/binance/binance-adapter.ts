/**
 * The Binance spot adapter: public market streams (trade, kline, bookTicker, depth) and the user-data
 * stream over @xev/net WebSockets that reconnect and resubscribe by themselves, and orders through the
 * signed REST API. The same code talks to the exchange simulator on loopback in tests.
 */
import type { Loop } from '@xev/core';
import type { Credentials } from '../credentials.js';
import type { OrderSpec, OrderUpdate, StreamKind, VenueAdapter, VenueHandlers } from '../types.js';
import { ResilientStream } from '../ws-stream.js';
import { baseOf, binanceStreamNames, decodeBinance, FeedError, restOrder } from './binance-codec.js';
import { BinanceRest, VenueRejectError } from './binance-rest.js';

/** Options for {@link BinanceAdapter}. */
export interface BinanceOptions {
  /** REST base, default `https://api.binance.com`. */
  restUrl?: string;
  /** WebSocket base, default `wss://stream.binance.com:9443`. */
  wsUrl?: string;
  symbols: readonly string[];
  /** Market streams; default trade and kline. */
  streams?: readonly StreamKind[];
  /** Kline interval; default `1m`. */
  interval?: string;
  /** Null for market data only (paper trading on live data). */
  credentials: Credentials | null;
  /** Passed to each {@link ResilientStream}. */
  heartbeatMs?: number;
  staleMs?: number;
  backoffMs?: number;
}

/** Formats a quantity or price without exponent notation (Binance rejects `1e-7`). */
export function decimal(x: number): string {
  return x.toFixed(8).replace(/\.?0+$/, '');
}

/** Binance spot behind the {@link VenueAdapter} interface. */
export class BinanceAdapter implements VenueAdapter {
  readonly name = 'binance';
  readonly rest: BinanceRest;
  #market: ResilientStream | null = null;
  #user: ResilientStream | null = null;
  #keepAlive: NodeJS.Timeout | null = null;
  #subId = 0;

  constructor(private readonly loop: Loop, private readonly o: BinanceOptions) {
    this.rest = new BinanceRest(loop, o.restUrl ?? 'https://api.binance.com', o.credentials);
  }

  /** The market-data stream (for tests that inspect reconnects). */
  get marketStream(): ResilientStream | null {
    return this.#market;
  }

  async start(h: VenueHandlers): Promise<void> {
    const ws = this.o.wsUrl ?? 'wss://stream.binance.com:9443';
    const tuning = { heartbeatMs: this.o.heartbeatMs, staleMs: this.o.staleMs, backoffMs: this.o.backoffMs };
    const onMessage = (text: string, ns: number) => {
      let d;
      try {
        d = decodeBinance(text, ns);
      } catch (e) {
        // One bad message must not take the stream down: report it and read the next.
        if (e instanceof FeedError) return h.problem(e);
        throw e;
      }
      if (d === null || 'control' in d) return;
      if ('market' in d) h.market(d.market);
      else h.order(d.order);
    };
    const names = this.o.symbols.flatMap((s) => binanceStreamNames(s, this.o.streams ?? ['trade', 'kline'], this.o.interval));
    this.#market = new ResilientStream(this.loop, {
      name: 'binance-market', url: () => `${ws}/ws`, onMessage, onProblem: (e) => h.problem(e), ...tuning,
      onOpen: async (sock, first) => {
        await sock.send(JSON.stringify({ method: 'SUBSCRIBE', params: names, id: ++this.#subId }));
        h.connected('binance-market', first);
      },
    });
    await this.#market.start();
    if (!this.o.credentials) return;
    this.#user = new ResilientStream(this.loop, {
      name: 'binance-user', onMessage, onProblem: (e) => h.problem(e), ...tuning,
      // A fresh listen key per connection: an expired one is the usual reason the stream dropped.
      url: async () => `${ws}/ws/${(await this.rest.keyed('POST', '/api/v3/userDataStream')).listenKey}`,
      onOpen: (_s, first) => h.connected('binance-user', first),
    });
    await this.#user.start();
    // Binance expires a listen key after 60 minutes without a keep-alive.
    this.#keepAlive = setInterval(() => void this.rest.keyed('PUT', '/api/v3/userDataStream').catch((e: Error) => h.problem(e)), 30 * 60_000);
    this.#keepAlive.unref();
  }

  async placeOrder(o: OrderSpec): Promise<OrderUpdate> {
    const params: Record<string, string> = {
      symbol: o.symbol, side: o.side === 'buy' ? 'BUY' : 'SELL', type: o.type === 'market' ? 'MARKET' : 'LIMIT',
      quantity: decimal(o.qty), newClientOrderId: o.clientOrderId, newOrderRespType: 'RESULT',
    };
    if (o.type === 'limit') {
      params.price = decimal(o.price!);
      params.timeInForce = 'GTC';
    }
    return restOrder(await this.rest.signed('POST', '/api/v3/order', params), 'rest');
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<OrderUpdate> {
    return restOrder(await this.rest.signed('DELETE', '/api/v3/order', { symbol, origClientOrderId: clientOrderId }), 'rest');
  }

  async openOrders(symbol: string): Promise<OrderUpdate[]> {
    const list = await this.rest.signed('GET', '/api/v3/openOrders', { symbol });
    return (list as unknown[]).map((m) => restOrder(m, 'reconcile'));
  }

  async orderStatus(symbol: string, clientOrderId: string): Promise<OrderUpdate | null> {
    try {
      return restOrder(await this.rest.signed('GET', '/api/v3/order', { symbol, origClientOrderId: clientOrderId }), 'reconcile');
    } catch (e) {
      // -2013: "Order does not exist." — the venue never accepted it.
      if (e instanceof VenueRejectError && e.code === -2013) return null;
      throw e;
    }
  }

  async positions(symbols: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!this.o.credentials) return out;
    const account = await this.rest.signed('GET', '/api/v3/account');
    const balances = new Map<string, number>((account.balances as { asset: string; free: string; locked: string }[]).map((b) => [b.asset, Number(b.free) + Number(b.locked)]));
    for (const s of symbols) out.set(s, balances.get(baseOf(s)) ?? 0);
    return out;
  }

  async stop(): Promise<void> {
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    await Promise.all([this.#market?.stop(), this.#user?.stop()]);
    this.rest.close();
  }
}
