/**
 * The contract between the optimizer and where candidates run: a sweep is a dataset range, an
 * evaluation spec and batches of parameter sets; a runner evaluates every batch once and reports each
 * result by batch index. Runners: {@link InlineRunner} (this thread), `ThreadRunner` (a worker-thread
 * pool through @xev/core's ThreadPool) and `RedisRunner` (BullMQ workers on any number of machines).
 */
import { randomUUID } from 'node:crypto';
import type { OhlcvSeries } from '../data/ohlcv.js';
import { loadStrategy, type EvalSpec } from './evaluate.js';
import type { ParamSet } from './param-space.js';
import { evaluatorFor, type BatchResult } from './worker-task.js';
import { METRIC_COUNT } from './objective.js';

/** Everything a runner needs to evaluate a sweep. */
export interface Sweep {
  /** The whole dataset (its shared buffer is what workers cache). */
  series: OhlcvSeries;
  /** First bar of the range to backtest. */
  start: number;
  /** End of the range (exclusive). */
  end: number;
  /** How candidates are run and measured. */
  spec: EvalSpec;
  /** The candidates, split into batches; results are reported per batch index. */
  batches: readonly ParamSet[][];
}

/** Receives one finished batch. */
export type BatchCallback = (batch: number, result: BatchResult) => void;

/** Where sweeps run. */
export interface SweepRunner {
  /** Parallel workers (threads, or for Redis the coordinator's estimate; used to size batches). */
  readonly workers: number;
  /**
   * Evaluates every batch, calling `onBatch` once per finished batch (in completion order). When
   * `signal` aborts, no new batch starts; batches already running finish and are reported; the promise
   * then resolves.
   */
  run(sweep: Sweep, onBatch: BatchCallback, signal?: AbortSignal): Promise<void>;
  /** Releases threads, connections and cached data. */
  close(): Promise<void>;
}

const ids = new WeakMap<SharedArrayBuffer, string>();

/**
 * An id for a series' shared buffer, stable for the buffer's lifetime. Workers key their cache by it;
 * in one process the memory itself is shared, so identity (not content) is what matters.
 */
export function bufferId(series: OhlcvSeries): string {
  let id = ids.get(series.buffer);
  if (!id) ids.set(series.buffer, (id = randomUUID()));
  return id;
}

/** Runs sweeps in the calling thread: the baseline the parallel runners are measured and checked against. */
export class InlineRunner implements SweepRunner {
  /** Always 1. */
  readonly workers = 1;

  /** See {@link SweepRunner.run}. */
  async run(sweep: Sweep, onBatch: BatchCallback, signal?: AbortSignal): Promise<void> {
    const strategy = await loadStrategy(sweep.spec.strategy);
    const handle = { id: bufferId(sweep.series), length: sweep.series.length };
    const ev = evaluatorFor(handle, sweep.series, sweep.start, sweep.end);
    for (let b = 0; b < sweep.batches.length; b++) {
      if (signal?.aborted) return;
      const params = sweep.batches[b];
      const t0 = performance.now();
      const metrics = new Float64Array(params.length * METRIC_COUNT);
      const errors = ev.run(strategy, params, sweep.spec, metrics);
      onBatch(b, { metrics, errors, busyMs: performance.now() - t0 });
      // Yield between batches so a Ctrl-C handler (and progress output) gets to run.
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  /** Nothing to release. */
  async close(): Promise<void> {}
}
