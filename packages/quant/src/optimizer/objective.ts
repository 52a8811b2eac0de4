/**
 * Metrics as a flat row of numbers (what workers send back), the objective an optimization ranks
 * by, and the ranking itself. The objective is applied in the coordinator to the metrics a worker
 * returned, so it may be any function — it never has to cross a thread or machine boundary.
 */
import type { Metrics } from '../metrics/compute.js';

/** The metric names in row order: a worker packs a candidate's metrics into a row in this order. */
export const METRIC_KEYS = [
  'bars', 'periodsPerYear', 'years', 'initialEquity', 'finalEquity', 'totalReturn', 'cagr', 'volatility',
  'sharpe', 'sortino', 'calmar', 'maxDrawdown', 'maxDrawdownBars', 'tradeCount', 'winRate', 'avgWin', 'avgLoss',
  'profitFactor', 'expectancy', 'sqn', 'exposure', 'feesPaid', 'buyAndHoldReturn', 'buyAndHoldCagr',
] as const satisfies readonly (keyof Metrics)[];

/** Numbers per metrics row. */
export const METRIC_COUNT = METRIC_KEYS.length;

/** Writes `m` into `row` at `offset` in {@link METRIC_KEYS} order. */
export function packMetrics(m: Metrics, row: Float64Array, offset: number): void {
  for (let k = 0; k < METRIC_COUNT; k++) row[offset + k] = m[METRIC_KEYS[k]];
}

/** Reads a {@link Metrics} object back from a packed row. */
export function unpackMetrics(row: ArrayLike<number>, offset = 0): Metrics {
  const m = {} as Record<string, number>;
  for (let k = 0; k < METRIC_COUNT; k++) m[METRIC_KEYS[k]] = row[offset + k];
  return m as unknown as Metrics;
}

/**
 * What to optimize: a metric name (maximized; prefix `-` to minimize, e.g. `-maxDrawdown`), or any
 * function of the metrics (maximized). NaN objectives (no trades, failed runs) rank last.
 */
export type Objective = keyof Metrics | `-${keyof Metrics}` | ((m: Metrics) => number);

/** A compiled objective: a score where higher is better, and a label for reports. */
export interface ObjectiveFn {
  /** Higher is better; NaN is worst. */
  score(m: Metrics): number;
  /** Printable name. */
  label: string;
}

/** Compiles an {@link Objective}; an unknown metric name is a RangeError listing the valid ones. */
export function compileObjective(o: Objective = 'sharpe'): ObjectiveFn {
  if (typeof o === 'function') return { score: o, label: o.name || 'custom' };
  const minimize = o.startsWith('-');
  const key = (minimize ? o.slice(1) : o) as keyof Metrics;
  if (!(METRIC_KEYS as readonly string[]).includes(key)) throw new RangeError(`unknown objective "${o}"; metrics: ${METRIC_KEYS.join(', ')}`);
  return { score: minimize ? (m) => -m[key] : (m) => m[key], label: o };
}

/**
 * Orders candidates best first: higher score first, NaN last, and equal scores by candidate index
 * (generation order), so the ranking is a total order and never depends on which worker finished first.
 */
export function compareRanked(aScore: number, aIndex: number, bScore: number, bIndex: number): number {
  const an = aScore !== aScore;
  const bn = bScore !== bScore;
  if (an !== bn) return an ? 1 : -1;
  if (!an && aScore !== bScore) return bScore > aScore ? 1 : -1;
  return aIndex - bIndex;
}

/** One ranked candidate. */
export interface RankedResult {
  /** 1-based rank. */
  rank: number;
  /** Position of the candidate in generation order (grid order or draw order). */
  index: number;
  /** The parameters. */
  params: Record<string, number | boolean | string>;
  /** The objective's value. */
  score: number;
  /** Every metric of the run. */
  metrics: Metrics;
}

/**
 * Keeps the best `n` of a stream of scored candidates without holding all of them: a sorted array
 * with binary insertion, which for the small `n` of a top list beats a heap on simplicity and speed.
 */
export class TopN {
  readonly #n: number;
  readonly #items: { score: number; index: number; row: Float64Array }[] = [];

  /** @param n - how many to keep. */
  constructor(n: number) {
    this.#n = Math.max(1, Math.floor(n));
  }

  /** Offers a candidate; its metrics row is copied only if it enters the list. */
  offer(score: number, index: number, rows: Float64Array, offset: number): void {
    const items = this.#items;
    if (items.length === this.#n) {
      const last = items[items.length - 1];
      if (compareRanked(score, index, last.score, last.index) >= 0) return;
    }
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareRanked(items[mid].score, items[mid].index, score, index) < 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, { score, index, row: rows.slice(offset, offset + METRIC_COUNT) });
    if (items.length > this.#n) items.pop();
  }

  /** The kept candidates, best first. */
  results(paramsOf: (index: number) => Record<string, number | boolean | string>): RankedResult[] {
    return this.#items.map((it, k) => ({ rank: k + 1, index: it.index, params: paramsOf(it.index), score: it.score, metrics: unpackMetrics(it.row) }));
  }
}
