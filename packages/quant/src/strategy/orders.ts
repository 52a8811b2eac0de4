/**
 * Order requests as strategies express them. The same shapes are accepted by the backtester, and are
 * what the paper and live venues will accept, so a strategy never changes between them.
 */

/** Buy or sell. */
export type Side = 'buy' | 'sell';

/** Order types. A stop-limit becomes a limit at `limitPrice` once `stopPrice` trades. */
export type OrderType = 'market' | 'limit' | 'stop' | 'stop-limit';

/**
 * A price level relative to the entry fill: an absolute `price`, a `pct` of the fill price (0.02 =
 * 2 %), or a `distance` in price units. For a long, a stop-loss sits below and a take-profit above;
 * for a short the reverse.
 */
export type PriceOffset = { price: number } | { pct: number } | { distance: number };

/** Protective exits attached to the position an order opens. */
export interface ExitSpec {
  stopLoss?: PriceOffset;
  takeProfit?: PriceOffset;
  /** Trails the best price since entry by this offset (`pct` or `distance`). */
  trailingStop?: { pct: number } | { distance: number };
}

/** How big an order is: base-asset quantity, or a fraction of current equity (1 = all of it). */
export type Size = { qty: number } | { fraction: number };

/** A raw order: buy or sell a size. Positions net (a sell while long reduces or reverses it). */
export interface OrderRequest extends ExitSpec {
  side: Side;
  /** Default `market`. */
  type?: OrderType;
  /** Default: the strategy's default sizing. */
  size?: Size;
  limitPrice?: number;
  stopPrice?: number;
  /** Free text recorded in the fill log. */
  tag?: string;
}

/**
 * An entry toward a target position: `enterLong` buys enough to hold a long of `size` (closing any
 * short first, in the same order); it does nothing when already long. Sizing is resolved at fill time.
 * The latest intent wins: entering withdraws pending entries the other way and pending exits, and
 * `exit()` withdraws pending entries.
 */
export interface EntryRequest extends ExitSpec {
  type?: OrderType;
  size?: Size;
  limitPrice?: number;
  stopPrice?: number;
  tag?: string;
}

/** What a pending order looks like from strategy code. */
export interface OrderInfo {
  id: number;
  side: Side;
  type: OrderType;
  /** `long`, `short` or `flat` for target orders; undefined for raw orders. */
  target: 'long' | 'short' | 'flat' | undefined;
  limitPrice: number | undefined;
  stopPrice: number | undefined;
  tag: string | undefined;
}

/** Read-only view of the position. */
export interface PositionInfo {
  /** Signed quantity: positive long, negative short, 0 flat. */
  qty: number;
  /** Average entry price of the open quantity (NaN when flat). */
  avgPrice: number;
}
