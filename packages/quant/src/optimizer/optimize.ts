/**
 * Parameter search: grid or seeded random candidates generated in the coordinator, evaluated in
 * batches by a runner (this thread, a worker-thread pool, or BullMQ workers), ranked by an objective
 * with ties broken by generation order — so the same seed gives the same top-N for any worker count
 * and any runner.
 */
import type { BacktestOptions } from '../backtest/types.js';
import type { OhlcvSeries } from '../data/ohlcv.js';
import { inferTimeframe } from '../data/timeframe.js';
import type { MetricsOptions } from '../metrics/compute.js';
import { loadStrategy, type EvalSpec, type StrategyRef } from './evaluate.js';
import { compileObjective, METRIC_COUNT, TopN, unpackMetrics, type Objective, type RankedResult } from './objective.js';
import { ParamSpace, type Axis, type ParamSet, type SearchSpace } from './param-space.js';
import type { SweepRunner } from './runner.js';
import { ThreadRunner } from './thread-runner.js';

/** How candidates are generated. */
export type SearchMethod = 'grid' | { random: number; seed?: number };

/** Progress of a sweep, reported after every finished batch. */
export interface OptimizeProgress {
  /** Candidates evaluated. */
  done: number;
  /** Candidates in the sweep. */
  total: number;
  /** Milliseconds since the sweep started. */
  elapsedMs: number;
  /** Best objective so far (NaN before any valid result). */
  best: number;
}

/** Options of {@link optimize}. */
export interface OptimizeOptions {
  /** The strategy, by built-in name or module reference. */
  strategy: StrategyRef;
  /** Ranges, fixed values and constraints (default: every declared range, no constraints). */
  space?: SearchSpace;
  /** `grid` (default) or `{ random: count, seed }`. */
  search?: SearchMethod;
  /** Ranked by (default `sharpe`). */
  objective?: Objective;
  /** How many results to keep (default 10). */
  top?: number;
  /** Backtest options for every candidate. */
  backtest?: BacktestOptions;
  /** Metric options (calendar, periods per year, risk-free rate). */
  metrics?: MetricsOptions;
  /** `auto` (default) uses the strategy's vectorized form when it has one; `event` never does. */
  engine?: 'auto' | 'event';
  /** Bars to backtest (default the whole series). */
  range?: { start: number; end: number };
  /** Where to run (default: a {@link ThreadRunner} of `os.availableParallelism()` threads, closed afterwards). */
  runner?: SweepRunner;
  /** Candidates per task (default: about 16 tasks per worker, at most 256 candidates each). */
  batchSize?: number;
  /** Stops the sweep: running batches finish, the best result so far is returned with `aborted: true`. */
  signal?: AbortSignal;
  /** Called after every batch. */
  onProgress?: (p: OptimizeProgress) => void;
}

/** What {@link optimize} returns. */
export interface OptimizeResult {
  /** Strategy name. */
  strategy: string;
  /** Objective label. */
  objective: string;
  /** How the candidates were generated. */
  search: SearchMethod;
  /** The searched parameters and their values. */
  axes: Axis[];
  /** Every candidate, in generation order. */
  candidates: ParamSet[];
  /** Objective per candidate (NaN if it failed or was not evaluated). */
  scores: Float64Array;
  /** Candidates evaluated. */
  evaluated: number;
  /** Candidates whose run threw (first 20 messages in `errors`). */
  failed: number;
  /** The first failures. */
  errors: { index: number; message: string }[];
  /** The best results, best first. */
  top: RankedResult[];
  /** Whether the sweep was stopped before evaluating every candidate. */
  aborted: boolean;
  /** Bars backtested per candidate. */
  bars: number;
  /** Wall-clock time, ms. */
  elapsedMs: number;
  /** Time workers spent evaluating, summed over batches, ms: `elapsedMs × workers − busyMs` is the overhead. */
  busyMs: number;
}

/** The evaluation spec shared by optimize and walk-forward: options made explicit and serializable. */
export function evalSpecOf(series: OhlcvSeries, o: Pick<OptimizeOptions, 'strategy' | 'backtest' | 'metrics' | 'engine'>): EvalSpec {
  const b = { ...(o.backtest ?? {}) };
  // Workers must not each infer the timeframe from their range (a short range could infer another).
  if (b.timeframe === undefined) b.timeframe = inferTimeframe(series.time, 10_000).text;
  else if (typeof b.timeframe !== 'string') b.timeframe = b.timeframe.text;
  return { strategy: o.strategy, backtest: b, metrics: { calendar: 'crypto', ...(o.metrics ?? {}) }, engine: o.engine ?? 'auto' };
}

/** Splits candidates into batches of `size`. */
export function toBatches(candidates: readonly ParamSet[], size: number): ParamSet[][] {
  const out: ParamSet[][] = [];
  for (let k = 0; k < candidates.length; k += size) out.push(candidates.slice(k, k + size));
  return out;
}

/** The default batch size: ~16 tasks per worker so work balances, capped so progress stays fine-grained. */
export function defaultBatchSize(candidates: number, workers: number): number {
  return Math.max(1, Math.min(128, Math.ceil(candidates / (workers * 32))));
}

/** Generates the candidates of a search over a strategy's parameters. */
export async function generateCandidates(strategy: StrategyRef, space: SearchSpace = {}, search: SearchMethod = 'grid'): Promise<{ name: string; space: ParamSpace; candidates: ParamSet[] }> {
  const def = await loadStrategy(strategy);
  const ps = new ParamSpace(def.name, def.params, space);
  const candidates = search === 'grid' ? ps.grid() : ps.random(search.random, search.seed ?? 1);
  return { name: def.name, space: ps, candidates };
}

/** Runs a parameter search (see the file comment). */
export async function optimize(series: OhlcvSeries, o: OptimizeOptions): Promise<OptimizeResult> {
  const t0 = performance.now();
  const search = o.search ?? 'grid';
  const { name, space, candidates } = await generateCandidates(o.strategy, o.space, search);
  const objective = compileObjective(o.objective);
  const runner = o.runner ?? new ThreadRunner();
  const start = o.range?.start ?? 0;
  const end = o.range?.end ?? series.length;
  const spec = evalSpecOf(series, o);
  const size = o.batchSize ?? defaultBatchSize(candidates.length, runner.workers);
  const batches = toBatches(candidates, size);
  const scores = new Float64Array(candidates.length).fill(NaN);
  const top = new TopN(o.top ?? 10);
  const errors: { index: number; message: string }[] = [];
  let evaluated = 0;
  let busyMs = 0;
  let failed = 0;
  let best = NaN;
  try {
    await runner.run({ series, start, end, spec, batches }, (b, r) => {
      const base = b * size;
      const n = batches[b].length;
      for (let k = 0; k < n; k++) {
        const index = base + k;
        const score = objective.score(unpackMetrics(r.metrics, k * METRIC_COUNT));
        scores[index] = score;
        top.offer(score, index, r.metrics, k * METRIC_COUNT);
        if (score === score && !(score <= best)) best = score;
      }
      for (const e of r.errors) {
        failed++;
        if (errors.length < 20) errors.push({ index: base + e.at, message: e.message });
      }
      evaluated += n;
      busyMs += r.busyMs;
      o.onProgress?.({ done: evaluated, total: candidates.length, elapsedMs: performance.now() - t0, best });
    }, o.signal);
  } finally {
    if (!o.runner) await runner.close();
  }
  errors.sort((a, b) => a.index - b.index);
  return {
    strategy: name,
    objective: objective.label,
    search,
    axes: space.axes.map((a) => ({ name: a.name, values: [...a.values] })),
    candidates,
    scores,
    evaluated,
    failed,
    errors,
    top: top.results((i) => candidates[i]),
    aborted: evaluated < candidates.length,
    bars: end - start,
    elapsedMs: performance.now() - t0,
    busyMs,
  };
}
