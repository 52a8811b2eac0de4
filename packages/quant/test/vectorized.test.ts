import { describe, expect, it } from 'vitest';
import { crossTargets, dualMaCross, ema, runBacktest, runVectorized, sma, type BacktestOptions } from '../src/index.js';
import { randomWalk } from './synthetic.js';

const data = randomWalk(20_000, 99);

const cases: Array<[string, { fast: number; slow: number; kind: 'sma' | 'ema'; allowShort: boolean; fraction: number }, BacktestOptions]> = [
  ['long-only SMA, next open, taker fee + slippage', { fast: 10, slow: 30, kind: 'sma', allowShort: false, fraction: 1 }, { fees: { taker: 0.001, fixed: 0.5 }, slippageBps: 3 }],
  ['long/short EMA, next open', { fast: 5, slow: 50, kind: 'ema', allowShort: true, fraction: 1 }, { fees: { taker: 0.0004 } }],
  ['long/short SMA, fill at close, half equity', { fast: 8, slow: 21, kind: 'sma', allowShort: true, fraction: 0.5 }, { fillAt: 'close', slippageBps: 10, fees: { taker: 0.002 } }],
];

describe('vectorized fast path produces the same trades as the event-driven engine', () => {
  for (const [name, p, opts] of cases) {
    it(name, () => {
      const ev = runBacktest(data, dualMaCross, p, opts);
      const avg = p.kind === 'ema' ? ema : sma;
      const target = crossTargets(avg(data.close, p.fast), avg(data.close, p.slow), p.allowShort);
      const vec = runVectorized(data, target, { ...opts, size: { fraction: p.fraction } });
      expect(ev.trades.length).toBeGreaterThan(100);
      expect(vec.fills).toEqual(ev.fills);
      expect(vec.trades).toEqual(ev.trades);
      expect(vec.equity).toEqual(ev.equity);
      expect(vec.inMarket).toEqual(ev.inMarket);
      expect(vec.final).toEqual(ev.final);
    });
  }

  it('reused output buffers give the same result as fresh ones, run after run', () => {
    const target = crossTargets(sma(data.close, 10), sma(data.close, 30), true);
    const fresh = runVectorized(data, target, { fees: { taker: 0.001 } });
    const buffers = { equity: new Float64Array(data.length + 5).fill(-1), inMarket: new Uint8Array(data.length + 5).fill(7) };
    const other = crossTargets(sma(data.close, 3), sma(data.close, 7));
    runVectorized(data, other, { buffers }); // dirty the buffers with a different run first
    const reused = runVectorized(data, target, { fees: { taker: 0.001 }, buffers });
    expect(reused.equity).toEqual(fresh.equity);
    expect(reused.inMarket).toEqual(fresh.inMarket);
    expect(reused.trades).toEqual(fresh.trades);
    expect(() => runVectorized(data, target, { buffers: { equity: new Float64Array(3), inMarket: new Uint8Array(3) } })).toThrow(/fewer than/);
  });

  it('rejects a target array of the wrong length', () => {
    expect(() => runVectorized(data, new Int8Array(3))).toThrow(/3 values for 20000 bars/);
  });
});
