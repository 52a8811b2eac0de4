import { describe, expect, it } from 'vitest';
import { ParamError, builtinStrategies, defineStrategy, dualMaCross, getStrategy, resolveParams, runBacktest, sma } from '../src/index.js';
import { runScript } from './scripted.js';
import { randomWalk } from './synthetic.js';

const data = randomWalk(3000, 11);

describe('built-in strategies', () => {
  it('ships the six documented strategies', () => {
    expect(Object.keys(builtinStrategies).sort()).toEqual(
      ['bollinger-breakout', 'dual-ma-cross', 'grid', 'macd-cross', 'rsi-mean-reversion', 'triple-ma'],
    );
  });

  for (const name of Object.keys(builtinStrategies)) {
    it(`${name} trades on a random walk and keeps its books`, () => {
      const r = runBacktest(data, getStrategy(name), {}, { fees: { taker: 0.001, maker: 0.0005 } });
      expect(r.trades.length).toBeGreaterThan(2);
      expect(r.final.qty).toBe(0);
      const net = r.trades.reduce((s, t) => s + t.netPnl, 0);
      expect(net).toBeCloseTo(r.final.equity - 10_000, 6);
    });
  }

  it('dual-ma-cross enters at the open after each up-cross and exits after each down-cross', () => {
    const r = runBacktest(data, dualMaCross, { fast: 5, slow: 20 });
    const f = sma(data.close, 5);
    const s = sma(data.close, 20);
    const expected: number[] = [];
    for (let i = 1; i < data.length - 1; i++) {
      const prev = f[i - 1] - s[i - 1];
      const now = f[i] - s[i];
      if ((prev <= 0 && now > 0) || (prev >= 0 && now < 0)) expected.push(i + 1);
    }
    const fills = r.fills.filter((x) => x.reason === 'market').map((x) => x.index);
    // The first signal may be a down-cross while flat (no fill), so compare from the first up-cross.
    const firstUp = expected.findIndex((i) => f[i - 1] - s[i - 1] > 0);
    expect(fills).toEqual(expected.slice(firstUp));
    for (const x of r.fills.filter((y) => y.reason === 'market')) expect(x.price).toBe(data.open[x.index]);
  });

  it('grid buys below its anchor with limit orders and sells them back higher', () => {
    const r = runBacktest(data, getStrategy('grid'), { levels: 5, spacing: 0.02 });
    const buys = r.fills.filter((f) => f.side === 'buy');
    expect(buys.length).toBeGreaterThan(0);
    expect(buys.every((f) => f.reason === 'limit' && f.liquidity === 'maker')).toBe(true);
    const anchor = data.close[0];
    for (const f of buys) expect(f.price).toBeLessThanOrEqual(anchor * (1 - 0.02) + 1e-9);
  });
});

describe('parameters', () => {
  it('resolves defaults, coerces CLI strings and validates ranges', () => {
    expect(resolveParams('dual-ma-cross', dualMaCross.params, { fast: '7', kind: 'ema', allowShort: 'true' })).toEqual({
      fast: 7, slow: 30, kind: 'ema', allowShort: true, fraction: 1,
    });
    expect(() => resolveParams('dual-ma-cross', dualMaCross.params, { fats: 3 })).toThrow(
      'strategy "dual-ma-cross" has no parameter "fats"; known parameters: fast, slow, kind, allowShort, fraction',
    );
    expect(() => resolveParams('dual-ma-cross', dualMaCross.params, { fast: 1 })).toThrow(/1 is outside \[2, 200\]/);
    expect(() => resolveParams('dual-ma-cross', dualMaCross.params, { fast: 2.5 })).toThrow(/expected an integer/);
    expect(() => resolveParams('dual-ma-cross', dualMaCross.params, { kind: 'hma' })).toThrow(/one of sma, ema/);
    expect(() => resolveParams('dual-ma-cross', dualMaCross.params, { fast: 'x' })).toThrow(ParamError);
  });

  it('rejects bad declarations at definition time', () => {
    expect(() => defineStrategy({ name: 'bad', params: { n: { type: 'int', min: 5, max: 10, default: 2 } }, init: () => 0, onBar: () => {} }))
      .toThrow(/default 2 outside \[5, 10\]/);
    expect(() => defineStrategy({ name: 'Bad Name', params: {}, init: () => 0, onBar: () => {} })).toThrow(/kebab-case/);
  });

  it('strategy-level invariants fail clearly', () => {
    expect(() => runBacktest(data, dualMaCross, { fast: 30, slow: 10 })).toThrow(/fast < slow/);
  });
});

describe('engine guards', () => {
  it('rejects orders that would exceed the leverage limit and records why', () => {
    const flat: [number, number, number, number] = [100, 101, 99, 100];
    const r = runScript([flat, flat, flat], { 0: (c) => c.order({ side: 'buy', size: { qty: 2000 } }) });
    expect(r.fills).toEqual([]);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0].reason).toMatch(/exposure 200000.00 would exceed 1× equity 100000.00/);
    const lev = runScript([flat, flat, flat], { 0: (c) => c.order({ side: 'buy', size: { qty: 2000 } }) }, { maxLeverage: 2 });
    expect(lev.fills).toHaveLength(2);
  });

  it('rejects invalid options and malformed orders', () => {
    expect(() => runScript([[1, 1, 1, 1]], {}, { fillAt: 'open' as never })).toThrow(/fillAt/);
    expect(() => runScript([[1, 1, 1, 1]], { 0: (c) => c.order({ side: 'buy', type: 'limit' }) })).toThrow(/limitPrice/);
  });
});
