import type { OhlcvSeries } from '../data/ohlcv.js';
import type { InitContext, StrategyContext } from './context.js';
import type { Size } from './orders.js';
import { validateSpecs, type ParamSpecs, type ParamValues } from './params.js';

/**
 * A strategy's decisions as one array, for the vectorized backtest path: `target[i]` ∈ {1, 0, −1} is
 * the position wanted after bar `i` closes, entered with market orders of `size`.
 */
export interface VectorizedPlan {
  /** Target position per bar. */
  target: ArrayLike<number>;
  /** Entry size (default: the backtest's `defaultSize`). */
  size?: Size;
}

/**
 * Scratch shared by the vectorized runs of one optimizer worker over one series: indicator arrays by
 * a key the strategy chooses (e.g. `sma:20`), reused by every parameter set that needs them.
 */
export interface VectorizedScratch {
  /** Indicator arrays by key; computed once per series and worker. */
  readonly cache: Map<string, Float64Array>;
  /** A target array of the series' length that a plan may fill instead of allocating. */
  readonly target: Int8Array;
}

/** A strategy: a name, typed parameters, `init` to build state and `onBar` called after every bar closes. */
export interface StrategyDefinition<P extends ParamSpecs = ParamSpecs, S = unknown> {
  /** Kebab-case name, used by the CLI and in reports. */
  readonly name: string;
  /** One-line summary. */
  readonly description?: string;
  /** Parameter declarations. */
  readonly params: P;
  /** Builds per-run state (indicator instances, counters). Called once per run, before the first bar. */
  init(ctx: InitContext<P>): S;
  /** Called once per bar, after it closes; may submit or cancel orders. */
  onBar(ctx: StrategyContext<P, S>): void;
  /**
   * Optional vectorized form, used by the optimizer: the same decisions as `onBar` as a target array
   * for `runVectorized`. It must reproduce the event-driven fills exactly (market orders only), which
   * the strategy's tests should check; it throws where `init` would.
   */
  vectorized?(series: OhlcvSeries, params: ParamValues<P>, scratch: VectorizedScratch): VectorizedPlan;
}

/**
 * Declares a strategy. The parameter declarations are validated here (not at run time) so a bad
 * range fails at import, and the definition is frozen so runs cannot leak state through it.
 */
export function defineStrategy<P extends ParamSpecs, S>(def: StrategyDefinition<P, S>): StrategyDefinition<P, S> {
  if (!def.name || !/^[a-z0-9][a-z0-9-]*$/.test(def.name)) {
    throw new TypeError(`strategy name "${def.name}" must be kebab-case ([a-z0-9-])`);
  }
  validateSpecs(def.name, def.params);
  return Object.freeze({ ...def, params: Object.freeze({ ...def.params }) });
}
