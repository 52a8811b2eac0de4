/**
 * Sweeps across machines on BullMQ: the coordinator stores the dataset in Redis once, adds one job per
 * batch to a queue, and collects the metrics that `xev-quant worker --redis URL` processes (on any
 * number of machines) return. A worker that dies mid-job stops renewing its lock; BullMQ's stalled-job
 * check in the surviving workers puts the job back in the queue, so every batch is evaluated and the
 * result is the same as on one machine.
 */
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import type { EvalError, EvalSpec } from './evaluate.js';
import type { ParamSet } from './param-space.js';
import type { BatchCallback, Sweep, SweepRunner } from './runner.js';
import { storeDataset, type RedisLike } from './dataset-store.js';
import type { BatchResult } from './worker-task.js';

/** The queue sweeps use unless told otherwise. */
export const DEFAULT_QUEUE = 'xev-quant-optimize';

/** A batch job's data (JSON). */
export interface RemoteBatch {
  /** Content hash of the dataset stored in Redis, and its bar count. */
  dataset: { hash: string; length: number };
  /** Range of bars to backtest. */
  start: number;
  /** End of the range (exclusive). */
  end: number;
  /** How to run and measure. */
  spec: EvalSpec;
  /** The candidates. */
  params: ParamSet[];
}

/** A batch job's return value (JSON): metrics as base64 of the Float64Array bytes, so every bit (and NaN) survives. */
export interface RemoteResult {
  /** Base64 of `params.length × METRIC_COUNT` little-endian doubles. */
  metrics: string;
  /** Failed candidates. */
  errors: EvalError[];
  /** Evaluation time, ms. */
  busyMs: number;
}

/** Encodes a batch result for the queue. */
export function encodeResult(r: BatchResult): RemoteResult {
  return { metrics: Buffer.from(r.metrics.buffer, r.metrics.byteOffset, r.metrics.byteLength).toString('base64'), errors: r.errors, busyMs: r.busyMs };
}

/** Decodes a batch result from the queue. */
export function decodeResult(r: RemoteResult): BatchResult {
  const b = Buffer.from(r.metrics, 'base64');
  const metrics = new Float64Array(b.length / 8);
  new Uint8Array(metrics.buffer).set(b);
  return { metrics, errors: r.errors, busyMs: r.busyMs };
}

/** The ioredis options {@link redisConnection} produces. */
export interface RedisOptionsLite {
  /** Host name or address. */
  host: string;
  /** TCP port. */
  port: number;
  /** ACL user. */
  username?: string;
  /** Password. */
  password?: string;
  /** Database number. */
  db: number;
  /** TLS options (rediss://). */
  tls?: object;
  /** Must be null for BullMQ's blocking connections. */
  maxRetriesPerRequest: null;
  /** Delay before reconnect attempt `times`, or null to give up. */
  retryStrategy?: (times: number) => number | null;
}

/** ioredis connection options from a `redis://[user:password@]host:port[/db]` URL. */
export function redisConnection(url: string): RedisOptionsLite {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RangeError(`expected a redis:// URL, got ${url}`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ requires this for blocking connections; harmless for the others.
    maxRetriesPerRequest: null,
  };
}

/** Options of a {@link RedisRunner}. */
export interface RedisRunnerOptions {
  /** `redis://host:port` of the Redis the workers use. */
  url: string;
  /** Queue name (default {@link DEFAULT_QUEUE}). */
  queue?: string;
  /**
   * How many workers the sweep expects, used only to size batches (default 8): more, smaller jobs
   * spread better over machines; each job costs a few Redis round trips.
   */
  workers?: number;
  /** How often pending jobs are polled in case a completion event was missed, ms (default 1000). */
  pollMs?: number;
  /** How long the first sweep waits for Redis before failing, ms (default 10 000). */
  connectMs?: number;
}

/** Resolves `p`, or rejects with `message` after `ms` (the client keeps retrying; a sweep should not wait forever). */
export async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The coordinator side of a distributed sweep (see the file comment). */
export class RedisRunner implements SweepRunner {
  /** The batch-sizing estimate of parallel workers. */
  readonly workers: number;
  /** The BullMQ queue jobs go to. */
  readonly queue: Queue;
  readonly #events: QueueEvents;
  readonly #pollMs: number;
  readonly #connectMs: number;
  readonly #url: string;
  #connected = false;
  #lastError: Error | undefined;

  /** Connects to Redis (lazily; the first sweep waits for the connection). */
  constructor(options: RedisRunnerOptions) {
    const name = options.queue ?? DEFAULT_QUEUE;
    const connectMs = options.connectMs ?? 10_000;
    // Until the first connection succeeds, reconnect attempts stop after `connectMs`, so an unreachable
    // Redis fails the sweep and lets close() finish (BullMQ waits for a connection that never comes
    // otherwise); once connected, the client reconnects for as long as it takes.
    const started = Date.now();
    const connection = {
      ...redisConnection(options.url),
      retryStrategy: (times: number) => (!this.#connected && Date.now() - started > connectMs ? null : Math.min(times * 100, 2000)),
    };
    this.workers = options.workers ?? 8;
    this.#pollMs = options.pollMs ?? 1000;
    this.#connectMs = options.connectMs ?? 10_000;
    this.#url = options.url;
    this.queue = new Queue(name, { connection: connection as ConnectionOptions });
    this.#events = new QueueEvents(name, { connection: connection as ConnectionOptions });
    // Connection errors surface as the sweep's own error (timeout or failed command); without a
    // listener an 'error' event would crash the process.
    this.queue.on('error', (e) => (this.#lastError = e));
    this.#events.on('error', (e) => (this.#lastError = e));
  }

  /** See {@link SweepRunner.run}. */
  async run(sweep: Sweep, onBatch: BatchCallback, signal?: AbortSignal): Promise<void> {
    const unreachable = `cannot reach Redis at ${this.#url} within ${this.#connectMs} ms${this.#lastError ? `: ${this.#lastError.message}` : ''}`;
    await withTimeout(Promise.all([this.queue.waitUntilReady(), this.#events.waitUntilReady()]), this.#connectMs, unreachable);
    this.#connected = true;
    const redis = (await this.queue.client) as unknown as RedisLike;
    const dataset = await storeDataset(redis, sweep.series);
    const sweepId = randomUUID();
    const idOf = (b: number) => `${sweepId}-${b}`;
    const pending = new Map<string, number>();
    sweep.batches.forEach((_, b) => pending.set(idOf(b), b));
    let failure: Error | undefined;
    let wake: () => void = () => {};
    const settle = (jobId: string, value: unknown): void => {
      const b = pending.get(jobId);
      if (b === undefined) return;
      pending.delete(jobId);
      const r = typeof value === 'string' ? (JSON.parse(value) as RemoteResult) : (value as RemoteResult);
      onBatch(b, decodeResult(r));
      if (pending.size === 0) wake();
    };
    const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => settle(jobId, returnvalue);
    const onFailed = async ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
      if (!pending.has(jobId)) return;
      // A failed attempt is retried while attempts remain; only a job that is finally failed ends the sweep.
      const job = await this.queue.getJob(jobId);
      if (job && (await job.getState()) === 'failed') {
        failure ??= new Error(`batch ${pending.get(jobId)} failed on a worker: ${failedReason}`);
        wake();
      }
    };
    this.#events.on('completed', onCompleted);
    this.#events.on('failed', onFailed);
    const onAbort = () => wake();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const remote = (params: ParamSet[]): RemoteBatch => ({ dataset, start: sweep.start, end: sweep.end, spec: sweep.spec, params });
      // Chunked adds keep each Redis pipeline (and its memory) bounded on very large sweeps.
      for (let k = 0; k < sweep.batches.length && !signal?.aborted; k += 500) {
        await this.queue.addBulk(sweep.batches.slice(k, k + 500).map((params, j) => ({
          name: 'batch',
          data: remote(params),
          opts: { jobId: idOf(k + j), attempts: 3, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } },
        })));
      }
      while (pending.size > 0 && !failure && !signal?.aborted) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, this.#pollMs).unref();
        });
        await this.#poll(pending, settle);
      }
      if (signal?.aborted && pending.size > 0) await this.#cancel([...pending.keys()], pending, settle);
      if (failure) throw failure;
    } finally {
      this.#events.off('completed', onCompleted);
      this.#events.off('failed', onFailed);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Picks up completions whose events were missed (a reconnect, or events trimmed from the stream). */
  async #poll(pending: Map<string, number>, settle: (id: string, value: unknown) => void): Promise<void> {
    const ids = [...pending.keys()].slice(0, 200);
    const jobs = await Promise.all(ids.map((id) => this.queue.getJob(id)));
    for (const job of jobs) if (job?.finishedOn && job.returnvalue && !job.failedReason) settle(job.id!, job.returnvalue);
  }

  /** On abort: removes the jobs no worker has taken; waits (bounded) for the running ones to report. */
  async #cancel(ids: string[], pending: Map<string, number>, settle: (id: string, value: unknown) => void): Promise<void> {
    for (const id of ids) {
      // remove() refuses a job a worker holds the lock of; those are still running.
      if ((await this.queue.remove(id)) === 1) pending.delete(id);
    }
    const deadline = Date.now() + 30_000;
    while (pending.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      await this.#poll(pending, settle);
      for (const id of [...pending.keys()]) {
        const job = await this.queue.getJob(id);
        if (!job) pending.delete(id);
      }
    }
  }

  /** Closes the Redis connections. */
  async close(): Promise<void> {
    // Clients that never connected have given up reconnecting (see the constructor) and hold nothing;
    // closing them would only re-raise the connection error the failed sweep already reported.
    if (!this.#connected) return;
    await this.#events.close();
    await this.queue.close();
  }
}
