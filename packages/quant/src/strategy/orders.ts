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
export type PriceOffset =
  /** An absolute price level. */
  | { price: number }
  /** A fraction of the entry fill price (0.02 = 2 %). */
  | { pct: number }
  /** A distance in price units from the entry fill. */
  | { distance: number };

/** Protective exits attached to the position an order opens. */
export interface ExitSpec {
  /** Protective stop below a long entry (above a short one). */
  stopLoss?: PriceOffset;
  /** Profit target above a long entry (below a short one). */
  takeProfit?: PriceOffset;
  /** Trails the best price since entry by this offset (`pct` or `distance`). */
  trailingStop?: { pct: number } | { distance: number };
}

/** How big an order is: base-asset quantity, or a fraction of current equity (1 = all of it). */
export type Size =
  /** Base-asset quantity. */
  | { qty: number }
  /** Fraction of current equity, net of fees (1 = all of it). */
  | { fraction: number };

/** A raw order: buy or sell a size. Positions net (a sell while long reduces or reverses it). */
export interface OrderRequest extends ExitSpec {
  /** Buy or sell. */
  side: Side;
  /** Default `market`. */
  type?: OrderType;
  /** Default: the strategy's default sizing. */
  size?: Size;
  /** Limit price (limit and stop-limit orders). */
  limitPrice?: number;
  /** Trigger price (stop and stop-limit orders). */
  stopPrice?: number;
  /** Free text recorded in the fill log. */
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
  /** Order type. */
  type?: OrderType;
  /** Size of the order (default: the backtest's default sizing). */
  size?: Size;
  /** Limit price (limit and stop-limit orders). */
  limitPrice?: number;
  /** Trigger price (stop and stop-limit orders). */
  stopPrice?: number;
  /** Free text recorded in the fill log. */
  tag?: string;
}

/** What a pending order looks like from strategy code. */
export interface OrderInfo {
  /** Order id, as returned when it was submitted. */
  id: number;
  /** Buy or sell. */
  side: Side;
  /** Order type. */
  type: OrderType;
  /** `long`, `short` or `flat` for target orders; undefined for raw orders. */
  target: 'long' | 'short' | 'flat' | undefined;
  /** Limit price (limit and stop-limit orders). */
  limitPrice: number | undefined;
  /** Trigger price (stop and stop-limit orders). */
  stopPrice: number | undefined;
  /** The order's tag. */
  tag: string | undefined;
}

/** Read-only view of the position. */
export interface PositionInfo {
  /** Signed quantity: positive long, negative short, 0 flat. */
  qty: number;
  /** Average entry price of the open quantity (NaN when flat). */
  avgPrice: number;
}
