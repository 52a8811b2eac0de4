import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeMetrics, dualMaCross, InlineRunner, readOhlcvCsv, renderWalkForwardReport, runBacktest, sp500DataPath, ThreadRunner, walkForward, walkForwardWindows,
  type OhlcvSeries, type WalkForwardOptions,
} from '../src/index.js';

let series: OhlcvSeries;
let two: ThreadRunner;
beforeAll(async () => {
  series = (await readOhlcvCsv(sp500DataPath(), { gaps: 'allow' })).series;
  two = new ThreadRunner({ workers: 2 });
});
afterAll(() => two.close());

/** Equal to 12 digits, or both NaN. */
function near(actual: number, expected: number): void {
  if (Number.isNaN(expected)) expect(actual).toBeNaN();
  else expect(actual).toBeCloseTo(expected, 12);
}

const opts: WalkForwardOptions = {
  strategy: 'dual-ma-cross',
  space: { ranges: { fast: { min: 5, max: 50, step: 5 }, slow: { min: 20, max: 250, step: 10 } }, fixed: { kind: 'sma', fraction: 1, allowShort: false }, constraints: ['fast < slow'] },
  objective: 'sharpe',
  top: 3,
  backtest: { fees: { taker: 0.0005 } },
  metrics: { calendar: 'equities' },
  inSample: 1500,
  outOfSample: 700,
};

describe('walk-forward windows', () => {
  it('rolling windows slide by the out-of-sample length; anchored ones grow from the first bar', () => {
    expect(walkForwardWindows(3000, { inSample: 1000, outOfSample: 500 })).toEqual([
      { isStart: 0, isEnd: 1000, oosStart: 1000, oosEnd: 1500 },
      { isStart: 500, isEnd: 1500, oosStart: 1500, oosEnd: 2000 },
      { isStart: 1000, isEnd: 2000, oosStart: 2000, oosEnd: 2500 },
      { isStart: 1500, isEnd: 2500, oosStart: 2500, oosEnd: 3000 },
    ]);
    const anchored = walkForwardWindows(3000, { inSample: 1000, outOfSample: 500, anchored: true });
    expect(anchored.map((w) => [w.isStart, w.isEnd])).toEqual([[0, 1000], [0, 1500], [0, 2000], [0, 2500]]);
    expect(walkForwardWindows(3000, { inSample: 1000, outOfSample: 500, step: 1000 }).map((w) => w.oosStart)).toEqual([1000, 2000]);
    expect(() => walkForwardWindows(100, { inSample: 80, outOfSample: 30 })).toThrow(/no window/);
  });
});

describe('walk-forward analysis', () => {
  it('optimizes in sample, trades the winner out of sample, stitches by compounding; identical on 1 thread and 2 workers', async () => {
    const r = await walkForward(series, { ...opts, runner: two });
    const inline = await walkForward(series, { ...opts, runner: new InlineRunner() });
    expect(inline.windows).toEqual(r.windows);
    expect(Array.from(inline.equity)).toEqual(Array.from(r.equity));
    expect(r.windows).toHaveLength(Math.floor((series.length - 1500) / 700));
    for (const w of r.windows) {
      // The reported out-of-sample metrics are a plain backtest of the winner on the out-of-sample bars.
      const direct = computeMetrics(runBacktest(series.range(w.oosStart, w.oosEnd), dualMaCross, w.best.params, { fees: { taker: 0.0005 }, timeframe: '1d' }), { calendar: 'equities' });
      expect(w.oos).toEqual(direct);
      expect(w.oosScore).toBe(direct.sharpe);
      expect(w.isScore).toBe(w.best.metrics.sharpe);
      // A winner that never trades out of sample has a NaN Sharpe there (flat equity), hence NaN degradation.
      near(w.degradation, (w.isScore - w.oosScore) / Math.abs(w.isScore));
      near(w.efficiency, w.oos.cagr / w.best.metrics.cagr);
    }
    // Stitching compounds: the final equity is the initial cash times the product of window growth.
    const growth = r.windows.reduce((g, w) => g * (1 + w.oos.totalReturn), 1);
    expect(r.equity[r.equity.length - 1]).toBeCloseTo(10_000 * growth, 6);
    expect(r.stitched.totalReturn).toBeCloseTo(growth - 1, 10);
    expect(r.time[0]).toBe(series.time[1500]);
    expect(r.efficiency).toBeCloseTo(r.stitched.cagr / (r.windows.reduce((s, w) => s + w.best.metrics.cagr, 0) / r.windows.length), 12);
    // Stability: one entry per searched parameter, positions within [0, 1].
    expect(r.stability.map((s) => s.name)).toEqual(['fast', 'slow']);
    for (const s of r.stability) {
      expect(s.values).toEqual(r.windows.map((w) => w.best.params[s.name]));
      expect(s.positions.every((p) => p >= 0 && p <= 1)).toBe(true);
    }
    const html = renderWalkForwardReport(r, series.time, 'wf', 'sp500');
    expect(html).toContain('id="stability-heatmap"');
    expect((html.match(/data-v="/g) ?? []).length).toBe(2 * r.windows.length);
  });

  it('anchored windows all start at bar 0', async () => {
    const r = await walkForward(series, { ...opts, anchored: true, inSample: 3000, outOfSample: 1000, runner: two });
    expect(r.mode).toBe('anchored');
    expect(r.windows.map((w) => [w.isStart, w.isEnd])).toEqual([[0, 3000], [0, 4000]]);
  });
});
