/**
 * Hyperliquid market data behind the {@link VenueAdapter} interface: trades, l2Book and candles over a
 * self-healing @xev/net WebSocket, with Hyperliquid's application-level `{"method":"ping"}` heartbeat
 * (it closes connections that send nothing for 60 s). Orders are refused: Hyperliquid signs order
 * actions with EIP-712 over secp256k1 and keccak-256, which this package does not implement yet, so the
 * adapter serves paper trading (wrap it in a PaperVenue) and market data only.
 */
import type { Loop } from '@xev/core';
import { FeedError } from '../binance/binance-codec.js';
import type { OrderSpec, OrderUpdate, StreamKind, VenueAdapter, VenueHandlers } from '../types.js';
import { ResilientStream } from '../ws-stream.js';
import { HyperliquidDecoder, hyperliquidSubscriptions } from './hyperliquid-codec.js';

/** Options for {@link HyperliquidAdapter}. */
export interface HyperliquidOptions {
  /** Default `wss://api.hyperliquid.xyz/ws`. */
  wsUrl?: string;
  /** Coins (`BTC`, `ETH`); they are the engine's symbols. */
  coins: readonly string[];
  /** Default trade and kline. */
  streams?: readonly StreamKind[];
  /** Candle interval; default `1m`. */
  interval?: string;
  heartbeatMs?: number;
  staleMs?: number;
  backoffMs?: number;
}

const NO_ORDERS = 'Hyperliquid orders are not supported yet: order actions need EIP-712 signing over secp256k1 with keccak-256';

/** Hyperliquid market data. */
export class HyperliquidAdapter implements VenueAdapter {
  readonly name = 'hyperliquid';
  #stream: ResilientStream | null = null;
  #ping: NodeJS.Timeout | null = null;

  constructor(private readonly loop: Loop, private readonly o: HyperliquidOptions) {}

  async start(h: VenueHandlers): Promise<void> {
    let decoder = new HyperliquidDecoder();
    const subs = this.o.coins.flatMap((c) => hyperliquidSubscriptions(c, this.o.streams ?? ['trade', 'kline'], this.o.interval));
    this.#stream = new ResilientStream(this.loop, {
      name: 'hyperliquid', url: () => this.o.wsUrl ?? 'wss://api.hyperliquid.xyz/ws',
      heartbeatMs: this.o.heartbeatMs, staleMs: this.o.staleMs, backoffMs: this.o.backoffMs,
      onProblem: (e) => h.problem(e),
      onMessage: (text, ns) => {
        let events;
        try {
          events = decoder.decode(text, ns);
        } catch (e) {
          if (e instanceof FeedError) return h.problem(e);
          throw e;
        }
        for (const e of events) h.market(e);
      },
      onOpen: async (ws, first) => {
        // A new connection starts candles afresh: an old "current" candle must not be closed by it.
        decoder = new HyperliquidDecoder();
        for (const s of subs) await ws.send(s);
        h.connected('hyperliquid', first);
      },
    });
    await this.#stream.start();
    this.#ping = setInterval(() => void this.#stream?.send('{"method":"ping"}').catch(() => {}), 30_000);
    this.#ping.unref();
  }

  placeOrder(_o: OrderSpec): Promise<OrderUpdate> {
    return Promise.reject(Object.assign(new Error(NO_ORDERS), { venueReject: true }));
  }

  cancelOrder(): Promise<OrderUpdate> {
    return Promise.reject(Object.assign(new Error(NO_ORDERS), { venueReject: true }));
  }

  async openOrders(): Promise<OrderUpdate[]> {
    return [];
  }

  async orderStatus(): Promise<OrderUpdate | null> {
    return null;
  }

  async positions(): Promise<Map<string, number>> {
    return new Map();
  }

  async stop(): Promise<void> {
    if (this.#ping) clearInterval(this.#ping);
    await this.#stream?.stop();
  }
}
