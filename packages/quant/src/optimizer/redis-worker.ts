/**
 * The worker side of a distributed sweep (`xev-quant worker --redis URL`): a BullMQ worker that takes
 * one batch job at a time and evaluates it on this machine's worker-thread pool, split across the
 * threads. Evaluation runs off the main thread, so BullMQ keeps renewing the job's lock while it runs;
 * a worker killed mid-job stops renewing, and after `lockMs` the job is handed to another worker.
 */
import { availableParallelism } from 'node:os';
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { OhlcvSeries } from '../data/ohlcv.js';
import { fetchDataset, type RedisLike } from './dataset-store.js';
import { METRIC_COUNT } from './objective.js';
import { toBatches } from './optimize.js';
import { DEFAULT_QUEUE, encodeResult, redisConnection, type RemoteBatch, type RemoteResult } from './redis-runner.js';
import { ThreadRunner } from './thread-runner.js';
import type { EvalError } from './evaluate.js';

/** Options of {@link startRedisWorker}. */
export interface RedisWorkerOptions {
  /** `redis://host:port`. */
  url: string;
  /** Queue name (default `xev-quant-optimize`). */
  queue?: string;
  /** Worker threads on this machine (default `os.availableParallelism()`). */
  threads?: number;
  /**
   * Job lock duration, ms (default 30 000, BullMQ's). A dead worker's job is retried elsewhere after
   * about this long; it must exceed the longest pause of this process's event loop (evaluation runs on
   * threads, so pauses are short).
   */
  lockMs?: number;
  /** Log lines (job start and end); default none. */
  log?: (line: string) => void;
}

/** A running worker; `close()` finishes the current job and disconnects. */
export interface RedisWorkerHandle {
  /** The BullMQ worker. */
  worker: Worker;
  /** The thread pool jobs run on. */
  runner: ThreadRunner;
  /** Stops taking jobs, waits for the current one, releases threads and connections. */
  close(): Promise<void>;
}

/** Starts a worker (see the file comment). */
export async function startRedisWorker(o: RedisWorkerOptions): Promise<RedisWorkerHandle> {
  const threads = o.threads ?? availableParallelism();
  const runner = new ThreadRunner({ workers: threads });
  const lockDuration = o.lockMs ?? 30_000;
  const datasets = new Map<string, Promise<OhlcvSeries>>();
  let worker: Worker;
  const evaluate = async (job: Job<RemoteBatch>): Promise<RemoteResult> => {
    const d = job.data;
    o.log?.(`job ${job.id} start (${d.params.length} candidates)`);
    let series = datasets.get(d.dataset.hash);
    if (!series) {
      const redis = (await worker.client) as unknown as RedisLike;
      series = fetchDataset(redis, d.dataset.hash);
      datasets.set(d.dataset.hash, series);
      series.catch(() => datasets.delete(d.dataset.hash));
    }
    const s = await series;
    // Split the job over the threads; results are reassembled in candidate order.
    const size = Math.max(1, Math.ceil(d.params.length / threads));
    const parts = toBatches(d.params, size);
    const metrics = new Float64Array(d.params.length * METRIC_COUNT);
    const errors: EvalError[] = [];
    let busyMs = 0;
    await runner.run({ series: s, start: d.start, end: d.end, spec: d.spec, batches: parts }, (b, r) => {
      metrics.set(r.metrics, b * size * METRIC_COUNT);
      for (const e of r.errors) errors.push({ at: b * size + e.at, message: e.message });
      busyMs += r.busyMs;
    });
    errors.sort((a, b) => a.at - b.at);
    o.log?.(`job ${job.id} done`);
    return encodeResult({ metrics, errors, busyMs });
  };
  worker = new Worker(o.queue ?? DEFAULT_QUEUE, evaluate, {
    connection: redisConnection(o.url) as ConnectionOptions,
    // One job at a time per process: the job itself fills every thread.
    concurrency: 1,
    lockDuration,
    // Check for stalled jobs twice per lock period, so a dead worker's job waits at most ~1.5 locks.
    stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
    maxStalledCount: 3,
  });
  // Connection errors are logged, not fatal: the client reconnects, and jobs resume when Redis is back.
  worker.on('error', (e) => o.log?.(`worker error: ${e.message}`));
  await worker.waitUntilReady();
  return {
    worker,
    runner,
    async close() {
      await worker.close();
      await runner.close();
    },
  };
}
