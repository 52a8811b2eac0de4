/**
 * Evaluating parameter sets: the work every optimizer worker does, identical in a worker thread, in a
 * BullMQ worker process and in the coordinator's own thread, so all modes produce the same numbers.
 */
import { runBacktest } from '../backtest/engine.js';
import type { BacktestOptions } from '../backtest/types.js';
import { ColumnarFills } from '../backtest/fill-columns.js';
import { runVectorized } from '../backtest/vectorized.js';
import type { OhlcvSeries } from '../data/ohlcv.js';
import { computeMetrics, type MetricsOptions } from '../metrics/compute.js';
import { builtinStrategies } from '../strategy/builtins/registry.js';
import type { StrategyDefinition, VectorizedScratch } from '../strategy/define-strategy.js';
import type { ParamSpecs, ParamValues } from '../strategy/params.js';
import { METRIC_COUNT, packMetrics } from './objective.js';
import type { ParamSet } from './param-space.js';

/**
 * A strategy that can be named across threads and machines: a built-in's name, or a module (path,
 * file URL or package name, resolvable where the worker runs) and its export.
 */
export type StrategyRef = string | { module: string; exportName?: string };

/** How every candidate of a sweep is backtested and measured (structured-clonable and JSON-safe). */
export interface EvalSpec {
  /** The strategy. */
  strategy: StrategyRef;
  /** Backtest options; `timeframe` as text (e.g. `1h`) so no worker has to infer it. */
  backtest: BacktestOptions;
  /** Metric options. */
  metrics: MetricsOptions;
  /**
   * `auto` (default): the strategy's vectorized form when it has one, else the event-driven engine.
   * `event`: always the event-driven engine.
   */
  engine?: 'auto' | 'event';
}

const loaded = new Map<string, Promise<StrategyDefinition<ParamSpecs, any>>>();

/** Resolves a {@link StrategyRef} (modules are imported once per thread and cached). */
export function loadStrategy(ref: StrategyRef): Promise<StrategyDefinition<ParamSpecs, any>> {
  if (typeof ref === 'string') {
    const s = builtinStrategies[ref];
    return s ? Promise.resolve(s) : Promise.reject(new RangeError(`unknown strategy "${ref}"; built-in strategies: ${Object.keys(builtinStrategies).join(', ')}`));
  }
  const key = `${ref.module}#${ref.exportName ?? 'default'}`;
  let p = loaded.get(key);
  if (!p) {
    p = import(ref.module).then((m: Record<string, unknown>) => {
      const s = (ref.exportName ? m[ref.exportName] : m.default) as StrategyDefinition<ParamSpecs, any> | undefined;
      if (!s || typeof s.onBar !== 'function') throw new TypeError(`${key} is not a strategy definition`);
      return s;
    });
    loaded.set(key, p);
  }
  return p;
}

/** Bytes of cached indicator arrays per evaluator before the cache is emptied (a few hundred series of a year of hours). */
const CACHE_BYTES = 64 * 1024 * 1024;

/** A failed candidate: its index in the batch and the error message. */
export interface EvalError {
  /** Position in the batch. */
  at: number;
  /** What went wrong. */
  message: string;
}

/**
 * Runs candidates over one series and packs their metrics. Keeps the scratch that makes repeated runs
 * cheap: indicator arrays shared between candidates, and the vectorized path's output buffers.
 */
export class Evaluator {
  /** The series every candidate runs on. */
  readonly series: OhlcvSeries;
  readonly #scratch: VectorizedScratch;
  readonly #buffers: { equity: Float64Array; inMarket: Uint8Array; fills: ColumnarFills };

  /** @param series - the (range of the) dataset to backtest. */
  constructor(series: OhlcvSeries) {
    this.series = series;
    this.#scratch = { cache: new Map(), target: new Int8Array(series.length) };
    this.#buffers = { equity: new Float64Array(series.length), inMarket: new Uint8Array(series.length), fills: new ColumnarFills(1024) };
  }

  /**
   * Evaluates `params` in order, writing row `k` of `out` (METRIC_COUNT numbers each). A candidate whose
   * run throws gets a row of NaN and an entry in the returned errors.
   */
  run(strategy: StrategyDefinition<ParamSpecs, any>, params: readonly ParamSet[], spec: EvalSpec, out: Float64Array): EvalError[] {
    const errors: EvalError[] = [];
    const vector = spec.engine !== 'event' && typeof strategy.vectorized === 'function';
    for (let k = 0; k < params.length; k++) {
      try {
        const p = params[k] as ParamValues<ParamSpecs>;
        let result;
        if (vector) {
          const plan = strategy.vectorized!(this.series, p, this.#scratch);
          result = runVectorized(this.series, plan.target, { ...spec.backtest, size: plan.size, buffers: this.#buffers, name: strategy.name });
        } else {
          result = runBacktest(this.series, strategy, p, spec.backtest);
        }
        packMetrics(computeMetrics(result, spec.metrics), out, k * METRIC_COUNT);
      } catch (e) {
        out.fill(NaN, k * METRIC_COUNT, (k + 1) * METRIC_COUNT);
        errors.push({ at: k, message: (e as Error).message ?? String(e) });
      }
      this.#trimCache();
    }
    return errors;
  }

  #trimCache(): void {
    const cache = this.#scratch.cache;
    // Every cached array is one value per bar, so the count bounds the bytes. Emptying outright
    // (rather than LRU) is enough: the arrays are cheap to recompute, and a sweep that overflows the
    // cache would thrash an LRU just the same.
    if (cache.size * this.series.length * 8 > CACHE_BYTES) cache.clear();
  }
}
