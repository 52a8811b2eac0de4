/**
 * The task module optimizer worker threads load (built as `dist/optimizer-worker.js`). The dataset
 * arrives once per worker as a SharedArrayBuffer and is cached here by id, so a batch task carries
 * only its parameter sets; the thread then sees the coordinator's memory itself, never a copy.
 */
import { threadId } from 'node:worker_threads';
import { OhlcvSeries } from '../data/ohlcv.js';
import { Evaluator, loadStrategy, type EvalError, type EvalSpec } from './evaluate.js';
import { METRIC_COUNT } from './objective.js';
import type { ParamSet } from './param-space.js';

/** A dataset as workers receive it: its id, bar count and (on install only) the shared memory. */
export interface DatasetHandle {
  /** Content hash or other id unique to the data. */
  id: string;
  /** Bars in the whole dataset. */
  length: number;
  /** The series' shared buffer; present only when installing. */
  buffer?: SharedArrayBuffer;
}

/** One batch of candidates over a range of a dataset. */
export interface BatchTask {
  /** Which dataset (the buffer attached only when the worker has not cached it). */
  dataset: DatasetHandle;
  /** First bar of the range. */
  start: number;
  /** End of the range (exclusive). */
  end: number;
  /** How to run and measure. */
  spec: EvalSpec;
  /** The candidates, in order. */
  params: ParamSet[];
}

/** What a batch returns: one metrics row per candidate, in order, and the failures. */
export interface BatchResult {
  /** `params.length × METRIC_COUNT` numbers. */
  metrics: Float64Array;
  /** Candidates whose run threw. */
  errors: EvalError[];
  /** Time spent evaluating, ms (for overhead accounting). */
  busyMs: number;
}

/** Prefix of the error a batch throws when its worker has not cached the dataset. */
export const DATASET_MISSING = 'dataset-missing:';

const datasets = new Map<string, OhlcvSeries>();
const evaluators = new Map<string, Evaluator>();

/** Caches a dataset in this thread; returns the thread id so the coordinator can see where it landed. */
export function installDataset(handle: DatasetHandle): number {
  if (!handle.buffer) throw new TypeError('installDataset needs the buffer');
  if (!datasets.has(handle.id)) datasets.set(handle.id, OhlcvSeries.fromBuffer(handle.buffer, handle.length));
  return threadId;
}

/** Drops a dataset and its evaluators from this thread's cache. */
export function dropDataset(id: string): number {
  datasets.delete(id);
  for (const key of [...evaluators.keys()]) if (key.startsWith(`${id}:`)) evaluators.delete(key);
  return threadId;
}

/** Returns the cached series of `id`, installing it from the handle's buffer if given. */
export function cachedDataset(handle: DatasetHandle): OhlcvSeries {
  let s = datasets.get(handle.id);
  if (!s && handle.buffer) {
    installDataset(handle);
    s = datasets.get(handle.id);
  }
  if (!s) throw new Error(`${DATASET_MISSING}${handle.id}`);
  return s;
}

/** The evaluator of a dataset range, kept between batches so its indicator cache and buffers are reused. */
export function evaluatorFor(handle: DatasetHandle, series: OhlcvSeries, start: number, end: number): Evaluator {
  const key = `${handle.id}:${start}:${end}`;
  let ev = evaluators.get(key);
  if (!ev) {
    // Walk-forward visits each window once and moves on: keep only the few most recent ranges.
    if (evaluators.size >= 4) evaluators.delete(evaluators.keys().next().value!);
    ev = new Evaluator(series.range(start, end));
    evaluators.set(key, ev);
  }
  return ev;
}

/** Evaluates one batch (the pool task). */
export async function evaluateBatch(task: BatchTask): Promise<BatchResult> {
  const series = cachedDataset(task.dataset);
  const strategy = await loadStrategy(task.spec.strategy);
  const t0 = performance.now();
  const metrics = new Float64Array(task.params.length * METRIC_COUNT);
  const errors = evaluatorFor(task.dataset, series, task.start, task.end).run(strategy, task.params, task.spec, metrics);
  return { metrics, errors, busyMs: performance.now() - t0 };
}

/**
 * Reads the cached dataset's close at `index` in this thread, with the thread id. Tests use it to show
 * that workers read the coordinator's memory: a write made after install is visible here.
 */
export function probeDataset(id: string, index: number): { threadId: number; close: number } {
  const s = datasets.get(id);
  if (!s) throw new Error(`${DATASET_MISSING}${id}`);
  return { threadId, close: s.close[index] };
}
