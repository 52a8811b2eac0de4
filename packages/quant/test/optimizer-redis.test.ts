import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineRunner, optimize, readOhlcvCsv, RedisRunner, sp500DataPath, ThreadRunner, walkForward, type OhlcvSeries, type OptimizeOptions } from '../src/index.js';
import { spawnCli, type CliChild } from './cli-process.js';
import { freePort, haveRedis, startRedis, type TestRedis } from './redis-server.js';

// A real redis-server started for this file and real `xev-quant worker` processes, on the S&P 500
// daily series from vega-datasets. CI installs redis-server (README); without it the file is skipped
// locally and fails under CI.
const run = haveRedis || process.env.CI ? describe : describe.skip;

let series: OhlcvSeries;
let redis: TestRedis;
const workers: CliChild[] = [];

/** Starts `xev-quant worker` with one thread and a 2 s lock, so a dead worker's job is retried within seconds. */
async function startWorker(queue: string): Promise<CliChild> {
  const w = spawnCli(['worker', '--redis', redis.url, '--queue', queue, '--threads', '1', '--lock-ms', '2000']);
  workers.push(w);
  await w.waitFor(/^worker ready/);
  return w;
}

beforeAll(async () => {
  series = (await readOhlcvCsv(sp500DataPath(), { gaps: 'allow' })).series;
  if (haveRedis || process.env.CI) redis = await startRedis();
});

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  await redis?.stop();
});

const base: OptimizeOptions = {
  strategy: 'dual-ma-cross',
  space: { ranges: { fast: { min: 2, max: 80 }, slow: { min: 10, max: 300 } }, fixed: { kind: 'ema', fraction: 1, allowShort: true }, constraints: ['fast < slow'] },
  search: { random: 400, seed: 21 },
  objective: (m) => m.cagr / Math.max(m.maxDrawdown, 0.01),
  top: 10,
  backtest: { fees: { taker: 0.0005 } },
  metrics: { calendar: 'equities' },
};

run('optimizer on BullMQ workers', () => {
  it('gives the same top-N as 1 and 2 worker threads and this thread', async () => {
    await startWorker('same-result');
    await startWorker('same-result');
    const inline = await optimize(series, { ...base, runner: new InlineRunner() });
    const one = new ThreadRunner({ workers: 1 });
    const two = new ThreadRunner({ workers: 2 });
    const remote = new RedisRunner({ url: redis.url, queue: 'same-result', workers: 2 });
    try {
      const r1 = await optimize(series, { ...base, runner: one });
      const r2 = await optimize(series, { ...base, runner: two });
      const rr = await optimize(series, { ...base, runner: remote, batchSize: 16 });
      expect(inline.evaluated).toBe(400);
      expect(r1.top).toEqual(inline.top);
      expect(r2.top).toEqual(inline.top);
      expect(rr.top).toEqual(inline.top);
      expect(Array.from(rr.scores)).toEqual(Array.from(inline.scores));
      // Both worker processes took part.
      expect(workers.filter((w) => /job \S+ done/.test(w.stderr())).length).toBe(2);
    } finally {
      await Promise.all([one.close(), two.close(), remote.close()]);
    }
  });

  it('a worker killed with SIGKILL mid-job has its job retried elsewhere; the result is complete and identical', async () => {
    const a = await startWorker('kill-test');
    const b = await startWorker('kill-test');
    // The event-driven engine and 40-candidate jobs make each job take a while, so the kill lands mid-job.
    const opts: OptimizeOptions = { ...base, engine: 'event', search: { random: 400, seed: 8 } };
    const inline = await optimize(series, { ...opts, runner: new InlineRunner() });
    const remote = new RedisRunner({ url: redis.url, queue: 'kill-test', workers: 2, pollMs: 250 });
    try {
      const sweep = optimize(series, { ...opts, runner: remote, batchSize: 40 });
      // Let worker A finish one job, then SIGKILL it the moment it reports starting its next one.
      await a.waitFor(/job \S+ done/);
      const second = await new Promise<string>((resolve) => {
        const poll = setInterval(() => {
          const starts = a.stderr().split('\n').filter((l) => / start /.test(l));
          if (starts.length >= 2) {
            clearInterval(poll);
            a.child.kill('SIGKILL');
            resolve(starts[1]);
          }
        }, 2);
      });
      const killedJob = /job (\S+) start/.exec(second)![1];
      expect(await a.exited).toBe(137);
      expect(a.stderr()).not.toContain(`job ${killedJob} done`);
      const r = await sweep;
      expect(r.evaluated).toBe(400);
      expect(r.aborted).toBe(false);
      expect(r.top).toEqual(inline.top);
      expect(Array.from(r.scores)).toEqual(Array.from(inline.scores));
      // The job that died with A was finished by B after BullMQ noticed it had stalled.
      expect(b.stderr()).toContain(`job ${killedJob} done`);
      const job = await remote.queue.getJob(killedJob);
      expect(job?.finishedOn).toBeGreaterThan(0);
      expect(job?.stalledCounter).toBeGreaterThanOrEqual(1);
    } finally {
      await remote.close();
    }
  });

  it('walk-forward on BullMQ workers matches walk-forward in this thread', async () => {
    await startWorker('walk-forward');
    const opts = { ...base, search: { random: 80, seed: 2 }, inSample: 1500, outOfSample: 1000 } as const;
    const remote = new RedisRunner({ url: redis.url, queue: 'walk-forward', workers: 1, pollMs: 250 });
    try {
      const inline = await walkForward(series, { ...opts, runner: new InlineRunner() });
      const rr = await walkForward(series, { ...opts, runner: remote, batchSize: 20 });
      expect(rr.windows.length).toBe(3);
      expect(rr.windows).toEqual(inline.windows);
      expect(Array.from(rr.equity)).toEqual(Array.from(inline.equity));
    } finally {
      await remote.close();
    }
  });

  it('abort stops a distributed sweep: waiting jobs are removed, running ones report, the best so far returns', async () => {
    await startWorker('abort-test');
    const remote = new RedisRunner({ url: redis.url, queue: 'abort-test', workers: 1, pollMs: 100 });
    const ac = new AbortController();
    try {
      const r = await optimize(series, {
        ...base, engine: 'event', search: { random: 400, seed: 4 }, runner: remote, batchSize: 20, signal: ac.signal,
        onProgress: (p) => { if (p.done >= 20) ac.abort(); },
      });
      expect(r.aborted).toBe(true);
      expect(r.evaluated).toBeGreaterThanOrEqual(20);
      expect(r.evaluated).toBeLessThan(400);
      expect(r.top.length).toBeGreaterThan(0);
      expect(await remote.queue.getWaitingCount()).toBe(0);
      expect(await remote.queue.getActiveCount()).toBe(0);
    } finally {
      await remote.close();
    }
  });

  it('an unreachable Redis fails the sweep with a clear error instead of waiting forever', async () => {
    const remote = new RedisRunner({ url: `redis://127.0.0.1:${await freePort()}`, connectMs: 500 });
    await expect(optimize(series, { ...base, runner: remote })).rejects.toThrow(/cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ within 500 ms/);
    await remote.close();
  });
});
