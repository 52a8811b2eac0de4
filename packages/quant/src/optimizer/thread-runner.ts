/**
 * A persistent pool of worker threads for sweeps, built on @xev/core's ThreadPool: results come back
 * as completions on an xev Loop. The dataset's SharedArrayBuffer is installed once per worker and
 * cached there; batch tasks carry only parameter sets, and only metrics come back.
 */
import { availableParallelism } from 'node:os';
import { serialize } from 'node:v8';
import { CallbackAction, Completion, errno, Loop, TASK_FAILED, ThreadPool } from '@xev/core';
import type { OhlcvSeries } from '../data/ohlcv.js';
import { bufferId, type BatchCallback, type Sweep, type SweepRunner } from './runner.js';
import { DATASET_MISSING, type BatchResult, type BatchTask, type DatasetHandle } from './worker-task.js';

/**
 * Where the worker task module is: next to the built code, or — when this file runs from source
 * (tests under vitest) — in the package's dist, which the test command builds first.
 */
export function workerModuleUrl(): string {
  const here = import.meta.url;
  return (/\/src\/optimizer\/[^/]+$/.test(here) ? new URL('../../dist/optimizer-worker.js', here) : new URL('./optimizer-worker.js', here)).href;
}

/** The result code of a task cancelled before a worker took it (a negative errno, as in @xev/core). */
const ECANCELED = -errno.ECANCELED;

/** Options of a {@link ThreadRunner}. */
export interface ThreadRunnerOptions {
  /** Worker threads (default `os.availableParallelism()`). */
  workers?: number;
  /** The loop to deliver results on (default: a new one, owned and closed by the runner). */
  loop?: Loop;
}

/** Counters that show what crossed the thread boundary. */
export interface ThreadRunnerStats {
  /** Dataset installs (SharedArrayBuffer handed to a worker): once per worker and dataset. */
  installs: number;
  /** Batch tasks sent. */
  tasks: number;
  /** Structured-clone bytes of all batch task arguments (none of them carries the dataset). */
  taskBytes: number;
  /** Batches re-sent with the buffer because they reached a worker that had not cached the dataset. */
  resent: number;
}

/** A persistent worker-thread pool for sweeps (see the file comment). */
export class ThreadRunner implements SweepRunner {
  /** Number of worker threads. */
  readonly workers: number;
  /** The loop results are delivered on. */
  readonly loop: Loop;
  /** The underlying @xev/core pool. */
  readonly pool: ThreadPool;
  /** What crossed the thread boundary so far. */
  readonly stats: ThreadRunnerStats = { installs: 0, tasks: 0, taskBytes: 0, resent: 0 };
  readonly #module = workerModuleUrl();
  readonly #ownLoop: boolean;
  readonly #installed = new Set<string>();
  // Sweeps on one runner take turns: each drives the loop with run('until_done'), which cannot nest.
  #turn: Promise<unknown> = Promise.resolve();

  /** Starts the worker threads. */
  constructor(options: ThreadRunnerOptions = {}) {
    this.workers = options.workers ?? availableParallelism();
    this.#ownLoop = !options.loop;
    // The registry's choice (io_uring, epoll, …): results come back through an Async on that backend.
    this.loop = options.loop ?? new Loop();
    // Two tasks in flight per worker: one running, one queued in its port, so a worker never idles
    // waiting for the round trip to the coordinator.
    this.pool = new ThreadPool(this.loop, { size: this.workers, perWorker: 2 });
  }

  /**
   * Hands the dataset's buffer to every worker once. Submitting one task per worker while the pool is
   * idle lands one on each (the pool dispatches to the least-loaded worker); should one ever land
   * elsewhere, a batch reaching a worker without the data fails with `dataset-missing` and is re-sent
   * with the buffer, so correctness never depends on the dispatch order.
   */
  install(series: OhlcvSeries): Promise<DatasetHandle> {
    return this.#exclusive(() => this.#install(series));
  }

  /** Runs `fn` after every earlier install or sweep on this runner has finished. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#turn.then(fn, fn);
    this.#turn = next.catch(() => undefined);
    return next;
  }

  async #install(series: OhlcvSeries): Promise<DatasetHandle> {
    const handle: DatasetHandle = { id: bufferId(series), length: series.length };
    if (this.#installed.has(handle.id)) return handle;
    const threads = new Set<number>();
    let failure: unknown;
    for (let w = 0; w < this.workers; w++) {
      this.stats.installs++;
      this.pool.submit(new Completion<null>(), { module: this.#module, exportName: 'installDataset', args: [{ ...handle, buffer: series.buffer }] }, null, (_u, _l, c, r) => {
        if (r === 0) threads.add(c.value as number);
        else failure = c.value ?? new Error(`dataset install failed (${r})`);
        return CallbackAction.disarm;
      });
    }
    await this.loop.run('until_done');
    if (failure) throw failure;
    this.#installed.add(handle.id);
    return handle;
  }

  /** See {@link SweepRunner.run}. Concurrent sweeps on one runner run one after the other. */
  run(sweep: Sweep, onBatch: BatchCallback, signal?: AbortSignal): Promise<void> {
    return this.#exclusive(() => this.#run(sweep, onBatch, signal));
  }

  async #run(sweep: Sweep, onBatch: BatchCallback, signal?: AbortSignal): Promise<void> {
    const handle = await this.#install(sweep.series);
    const withBuffer: DatasetHandle = { ...handle, buffer: sweep.series.buffer };
    const limit = this.workers * 2;
    let next = 0;
    let inFlight = 0;
    let failure: unknown;
    const submit = (b: number, dataset: DatasetHandle): void => {
      const task: BatchTask = { dataset, start: sweep.start, end: sweep.end, spec: sweep.spec, params: sweep.batches[b] };
      if (!dataset.buffer) this.stats.taskBytes += serialize(task).byteLength;
      this.stats.tasks++;
      inFlight++;
      this.pool.submit(new Completion<number>(), { module: this.#module, exportName: 'evaluateBatch', args: [task] }, b, onDone);
    };
    // Submitting from inside the completion callback keeps the loop's active count above zero, so
    // `run('until_done')` cannot finish between one batch completing and the next being submitted.
    const fill = (): void => {
      while (inFlight < limit && next < sweep.batches.length && !signal?.aborted && failure === undefined) submit(next++, handle);
    };
    const onDone = (b: number | undefined, _l: Loop, c: Completion<number>, r: number): CallbackAction => {
      inFlight--;
      if (r === 0) onBatch(b!, c.value as BatchResult);
      else if (r === TASK_FAILED && String((c.value as Error)?.message).startsWith(DATASET_MISSING)) {
        this.stats.resent++;
        submit(b!, withBuffer);
      } else if (r !== ECANCELED) failure ??= c.value ?? new Error(`batch ${b} failed (${r})`);
      fill();
      return CallbackAction.disarm;
    };
    fill();
    await this.loop.run('until_done');
    if (failure !== undefined) throw failure;
  }

  /** Stops the workers (and closes the loop if the runner created it). */
  async close(): Promise<void> {
    await this.pool.close();
    if (this.#ownLoop) {
      await this.loop.run('until_done');
      this.loop.close();
    }
  }
}
