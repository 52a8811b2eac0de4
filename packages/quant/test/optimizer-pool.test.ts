import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTask } from '@xev/core';
import { dualMaCross, InlineRunner, optimize, readOhlcvCsv, runBacktest, computeMetrics, sp500DataPath, ThreadRunner, type OhlcvSeries, type OptimizeOptions } from '../src/index.js';

// Real data: the S&P 500 daily series that vega-datasets ships (5105 bars, 2000–2020).
let series: OhlcvSeries;
beforeAll(async () => {
  series = (await readOhlcvCsv(sp500DataPath(), { gaps: 'allow' })).series;
});

const base: OptimizeOptions = {
  strategy: 'dual-ma-cross',
  space: { ranges: { fast: { min: 2, max: 80 }, slow: { min: 10, max: 300 } }, fixed: { kind: 'sma', fraction: 1 }, constraints: ['fast < slow'] },
  search: { random: 600, seed: 11 },
  objective: 'sharpe',
  top: 10,
  backtest: { fees: { taker: 0.0005 }, slippageBps: 1 },
  metrics: { calendar: 'equities' },
};

describe('optimizer on worker threads', () => {
  let one: ThreadRunner;
  let two: ThreadRunner;
  beforeAll(() => {
    one = new ThreadRunner({ workers: 1 });
    two = new ThreadRunner({ workers: 2 });
  });
  afterAll(async () => {
    await one.close();
    await two.close();
  });

  it('gives the same top-N in this thread, on 1 worker and on 2 workers, whatever the batch size', async () => {
    const inline = await optimize(series, { ...base, runner: new InlineRunner() });
    const r1 = await optimize(series, { ...base, runner: one, batchSize: 7 });
    const r2 = await optimize(series, { ...base, runner: two, batchSize: 13 });
    expect(inline.evaluated).toBe(600);
    expect(inline.failed).toBe(0);
    expect(r1.top).toEqual(inline.top);
    expect(r2.top).toEqual(inline.top);
    expect(Array.from(r2.scores)).toEqual(Array.from(inline.scores));
    // The ranking is by the objective, best first, and the reported metrics are the engine's own.
    for (let k = 1; k < inline.top.length; k++) expect(inline.top[k - 1].score).toBeGreaterThanOrEqual(inline.top[k].score);
    const best = inline.top[0];
    const direct = computeMetrics(runBacktest(series, dualMaCross, best.params, base.backtest), { calendar: 'equities' });
    expect(best.metrics).toEqual(direct);
  });

  it('the vectorized path and the event-driven engine rank the same candidates identically', async () => {
    const small = { ...base, search: { random: 60, seed: 3 } } as const;
    const vec = await optimize(series, { ...small, runner: two });
    const ev = await optimize(series, { ...small, runner: two, engine: 'event' });
    expect(ev.top).toEqual(vec.top);
  });

  it('shares the dataset: installed once per worker, batches carry no data, workers see later writes', async () => {
    const s = series.slice(0); // a private copy, so writing to it disturbs no other test
    const runner = new ThreadRunner({ workers: 2 });
    try {
      await optimize(s, { ...base, search: { random: 200, seed: 5 }, runner, batchSize: 10 });
      expect(runner.stats.installs).toBe(2);
      expect(runner.stats.resent).toBe(0);
      expect(runner.stats.tasks).toBe(20);
      // Each batch task is a few KB of parameters; the dataset is 6 columns × 8 bytes × 5105 bars ≈ 245 KB.
      expect(runner.stats.taskBytes / runner.stats.tasks).toBeLessThan((s.length * 48) / 50);
      // A write after the install reaches both workers: they read this thread's memory, not a copy.
      s.close[100] = 12_345.5;
      const { bufferId } = await import('../src/optimizer/runner.js');
      const module = (await import('../src/optimizer/thread-runner.js')).workerModuleUrl();
      const probes = [0, 1].map(() => runTask<{ threadId: number; close: number }>(runner.pool, { module, exportName: 'probeDataset', args: [bufferId(s), 100] }));
      await runner.loop.run('until_done');
      const seen = await Promise.all(probes);
      expect(new Set(seen.map((p) => p.threadId)).size).toBe(2);
      expect(seen.map((p) => p.close)).toEqual([12_345.5, 12_345.5]);
    } finally {
      await runner.close();
    }
  });

  it('two sweeps started at once on one pool take turns and both complete', async () => {
    const [a, b] = await Promise.all([
      optimize(series, { ...base, search: { random: 50, seed: 1 }, runner: two }),
      optimize(series, { ...base, search: { random: 50, seed: 2 }, runner: two }),
    ]);
    expect([a.evaluated, b.evaluated]).toEqual([50, 50]);
    expect(a.top).toEqual((await optimize(series, { ...base, search: { random: 50, seed: 1 }, runner: new InlineRunner() })).top);
  });

  it('stops on abort: batches in flight finish, the best so far is returned', async () => {
    const ac = new AbortController();
    const r = await optimize(series, {
      ...base, runner: two, batchSize: 10,
      onProgress: (p) => { if (p.done >= 100) ac.abort(); },
      signal: ac.signal,
    });
    expect(r.aborted).toBe(true);
    expect(r.evaluated).toBeGreaterThanOrEqual(100);
    expect(r.evaluated).toBeLessThan(600);
    expect(r.top.length).toBe(10);
    // The pool is still usable afterwards.
    const again = await optimize(series, { ...base, search: { random: 20, seed: 1 }, runner: two });
    expect(again.evaluated).toBe(20);
  });
});
