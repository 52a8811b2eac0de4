import type { Timeframe } from '../data/timeframe.js';
import type { Side, Size } from '../strategy/orders.js';
import type { LedgerSnapshot } from './ledger.js';

/** Fees as fractions of notional (0.001 = 10 bp) plus a fixed amount per fill. */
export interface FeeModel {
  /** Rate for resting orders that add liquidity: limit orders and take-profits. Default 0. */
  maker?: number;
  /** Rate for orders that take liquidity: market, stop, stop-limit, stop-loss, trailing stop. Default 0. */
  taker?: number;
  /** Fixed fee per fill, in quote currency. Default 0. */
  fixed?: number;
}

/** Backtest options; every field has a documented default. */
export interface BacktestOptions {
  /** Starting cash (default 10 000). */
  initialCash?: number;
  /** Fee model (default: no fees). */
  fees?: FeeModel;
  /** Adverse slippage on taker fills, in basis points (default 0). */
  slippageBps?: number;
  /**
   * When market orders fill: `next-open` (default) at the open of the bar after the signal — the only
   * price a strategy deciding at the close could actually get — or `close`, at the signal bar's close.
   */
  fillAt?: 'next-open' | 'close';
  /** Size used when an order gives none (default `{ fraction: 1 }`, all equity). */
  defaultSize?: Size;
  /** Largest allowed |position|·price / equity after a fill (default 1: no leverage). */
  maxLeverage?: number;
  /** Fraction of short notional held as margin (default 1). */
  shortMarginRate?: number;
  /** Flatten any open position at the last bar's close, exit reason `end-of-data` (default true). */
  closeAtEnd?: boolean;
  /** Bar timeframe, informational and for metrics (default: taken from the data when known). */
  timeframe?: Timeframe | string;
}

/** Why a fill happened. */
export type FillReason =
  | 'market'
  | 'limit'
  | 'stop'
  | 'stop-limit'
  | 'stop-loss'
  | 'take-profit'
  | 'trailing-stop'
  | 'end-of-data';

/** One execution. */
export interface Fill {
  /** Id of the order that produced it (0 for exits and end-of-data). */
  orderId: number;
  /** Bar index of the execution. */
  index: number;
  /** Bar open time, epoch ms. */
  time: number;
  /** Buy or sell. */
  side: Side;
  /** Positive quantity. */
  qty: number;
  /** Execution price. */
  price: number;
  /** Fee charged. */
  fee: number;
  /** Maker (resting order) or taker. */
  liquidity: 'maker' | 'taker';
  /** Why it filled. */
  reason: FillReason;
  /** Tag of the order, if any. */
  tag: string | undefined;
}

/** A round trip: from flat (or a reversal) to flat (or the next reversal). */
export interface Trade {
  /** Buy or sell. */
  side: 'long' | 'short';
  /** Bar index of the first entry fill. */
  entryIndex: number;
  /** Time of the first entry fill. */
  entryTime: number;
  /** Quantity-weighted average entry price. */
  entryPrice: number;
  /** Bar index of the closing fill. */
  exitIndex: number;
  /** Time of the closing fill. */
  exitTime: number;
  /** Quantity-weighted average exit price. */
  exitPrice: number;
  /** Largest absolute quantity held during the trade. */
  qty: number;
  /** PnL before fees. */
  grossPnl: number;
  /** Fees of every fill in the trade (a reversal's fee is split pro rata). */
  fees: number;
  /** grossPnl − fees. */
  netPnl: number;
  /** netPnl / (entryPrice · quantity entered). */
  returnPct: number;
  /** Reason of the fill that closed the trade. */
  exitReason: FillReason;
  /** exitIndex − entryIndex. */
  bars: number;
}

/** An order the engine refused. */
export interface Rejection {
  /** Id of the order that produced it (0 for exits and end-of-data). */
  orderId: number;
  /** Bar index. */
  index: number;
  /** Why it filled. */
  reason: string;
}

/** Everything a run produces. */
export interface BacktestResult {
  /** Strategy name. */
  strategy: string;
  /** Resolved parameters. */
  params: Record<string, unknown>;
  /** Options with defaults applied. */
  options: Required<Omit<BacktestOptions, 'timeframe' | 'fees'>> & { fees: Required<FeeModel> };
  /** Bar timeframe (given or inferred). */
  timeframe: Timeframe | undefined;
  /** Bar times (shared with the input series). */
  time: Float64Array;
  /** Closes (shared with the input series), for the buy-and-hold benchmark. */
  close: Float64Array;
  /** Equity marked at each bar's close. */
  equity: Float64Array;
  /** Whether a position was held at each bar's close (1) or not (0). */
  inMarket: Uint8Array;
  /** Every execution, in order. */
  fills: Fill[];
  /** Closed round trips, in order. */
  trades: Trade[];
  /** Orders refused by the leverage check. */
  rejected: Rejection[];
  /** Ledger at the last close. */
  final: LedgerSnapshot;
}
