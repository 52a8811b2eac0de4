import type { Timeframe } from '../data/timeframe.js';
import type { BarCursor } from './cursor.js';
import type { EntryRequest, OrderInfo, OrderRequest, PositionInfo } from './orders.js';
import type { ParamSpecs, ParamValues } from './params.js';

/** What `init` receives: the parameters and the timeframe, but no bars (there are none yet). */
export interface InitContext<P extends ParamSpecs> {
  /** Resolved parameters. */
  params: ParamValues<P>;
  /** Bar timeframe, when known. */
  timeframe: Timeframe | undefined;
}

/**
 * What `onBar` receives. Backtest, paper and live trading all implement this interface; the bars
 * cursor only reaches the past, so a strategy cannot look ahead in any of them.
 */
export interface StrategyContext<P extends ParamSpecs, S> {
  /** Resolved parameters. */
  readonly params: ParamValues<P>;
  /** What `init` returned (indicators, counters…); mutable by the strategy. */
  readonly state: S;
  /** Bars up to and including the current one. */
  readonly bars: BarCursor;
  /** Current position. */
  readonly position: PositionInfo;
  /** Equity marked at the current close. */
  readonly equity: number;
  /** Cash balance. */
  readonly cash: number;
  /** Orders not yet filled or cancelled. */
  readonly openOrders: readonly OrderInfo[];
  /** Submits a raw order; returns its id. */
  order(req: OrderRequest): number;
  /** Targets a long position (see {@link EntryRequest}); returns the order id, or -1 when already long. */
  enterLong(req?: EntryRequest): number;
  /** Targets a short position; returns the order id, or -1 when already short. */
  enterShort(req?: EntryRequest): number;
  /** Flattens the position with a market order; returns the order id, or -1 when already flat. */
  exit(tag?: string): number;
  /** Cancels one order; returns whether it was open. */
  cancel(id: number): boolean;
  /** Cancels every open order. */
  cancelAll(): void;
}
