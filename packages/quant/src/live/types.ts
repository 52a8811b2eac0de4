/**
 * The live engine's vocabulary: normalized market events (what every adapter turns its wire format
 * into), order specifications and the venue updates that drive the order state machine.
 */
import type { Side } from '../strategy/orders.js';

/** One trade print. */
export interface TradeEvent {
  readonly kind: 'trade';
  readonly symbol: string;
  /** Trade time, epoch ms. */
  readonly time: number;
  readonly price: number;
  readonly qty: number;
  /** Time the message was read from the socket (`process.hrtime.bigint()` as a number of ns), for latency. */
  readonly receivedNs: number;
}

/** A candle update; `closed` is true once the venue says the bar is final. */
export interface KlineEvent {
  readonly kind: 'kline';
  readonly symbol: string;
  /** Bar open time, epoch ms. */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly closed: boolean;
  readonly receivedNs: number;
}

/** Best bid and offer. */
export interface BookTickerEvent {
  readonly kind: 'book-ticker';
  readonly symbol: string;
  readonly bidPrice: number;
  readonly bidQty: number;
  readonly askPrice: number;
  readonly askQty: number;
  readonly receivedNs: number;
}

/** A depth update: price levels `[price, qty]` (qty 0 removes the level in a diff stream). */
export interface DepthEvent {
  readonly kind: 'depth';
  readonly symbol: string;
  readonly bids: readonly (readonly [number, number])[];
  readonly asks: readonly (readonly [number, number])[];
  readonly receivedNs: number;
}

/** Every market event the engine understands. */
export type MarketEvent = TradeEvent | KlineEvent | BookTickerEvent | DepthEvent;

/** Market streams an adapter can subscribe to. */
export type StreamKind = 'trade' | 'kline' | 'book-ticker' | 'depth';

/** An order as the engine sends it to a venue. Quantities are base units; prices quote units. */
export interface OrderSpec {
  /** Our id, unique per order and stable across retries and restarts: the venue dedupes on it. */
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: 'market' | 'limit';
  readonly qty: number;
  /** Limit price (limit orders). */
  readonly price?: number;
}

/** Venue-side order status, as adapters normalize it. */
export type VenueStatus = 'new' | 'partially-filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

/**
 * What a venue says about one order: from the order's REST answer, the user-data stream or a
 * reconciliation query. Fills are cumulative, so applying the same update twice changes nothing.
 */
export interface OrderUpdate {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly status: VenueStatus;
  /** Cumulative filled quantity. */
  readonly cumQty: number;
  /** Cumulative quote amount of the fills (Σ price·qty), so each fill's price can be derived. */
  readonly cumQuote: number;
  /** Venue order id, when known. */
  readonly venueOrderId?: string;
  /** Commission charged with this update's fill, in quote units when the venue says so. */
  readonly fee?: number;
  /** Reject or cancel reason. */
  readonly reason?: string;
  /** Where it came from: `rest`, `stream` or `reconcile`. */
  readonly source: 'rest' | 'stream' | 'reconcile';
}

/** Callbacks an adapter drives. */
export interface VenueHandlers {
  /** A normalized market event. */
  market(event: MarketEvent): void;
  /** An order update from the user-data stream. */
  order(update: OrderUpdate): void;
  /** A stream (re)connected and resubscribed: the engine reconciles. `first` is the initial connection. */
  connected(stream: string, first: boolean): void;
  /** A stream dropped, went stale or delivered something unreadable; the adapter keeps going. */
  problem(error: Error): void;
}

/**
 * One adapter interface for every venue — Binance, Hyperliquid, the paper venue. Market data and order
 * updates are pushed through {@link VenueHandlers}; orders and reconciliation are requests.
 */
export interface VenueAdapter {
  /** `binance`, `hyperliquid`, `paper`. */
  readonly name: string;
  /** Connects market-data (and user-data) streams for `symbols`; resolves once subscribed. */
  start(handlers: VenueHandlers): Promise<void>;
  /** Places an order; resolves the venue's first answer (acknowledged, filled or rejected). */
  placeOrder(order: OrderSpec): Promise<OrderUpdate>;
  /** Cancels by client order id; resolves the resulting update (or rejects when the venue refuses). */
  cancelOrder(symbol: string, clientOrderId: string): Promise<OrderUpdate>;
  /** Open orders at the venue. */
  openOrders(symbol: string): Promise<OrderUpdate[]>;
  /** One order's status by client order id, or null when the venue never saw it. */
  orderStatus(symbol: string, clientOrderId: string): Promise<OrderUpdate | null>;
  /** Base-asset holdings per symbol (spot balances, or perp positions). */
  positions(symbols: readonly string[]): Promise<Map<string, number>>;
  /** Closes every connection. */
  stop(): Promise<void>;
}
