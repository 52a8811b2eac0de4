import { describe, expect, it } from 'vitest';
import { compareRanked, compileConstraint, compileObjective, dualMaCross, ParamError, ParamSpace, rsiMeanReversion, TopN, METRIC_COUNT, unpackMetrics } from '../src/index.js';

describe('parameter space', () => {
  it('enumerates the declared ranges in grid order (last axis fastest), narrowed per parameter', () => {
    const ps = new ParamSpace('dual-ma-cross', dualMaCross.params, {
      ranges: { fast: { min: 5, max: 15, step: 5 }, slow: [20, 40] },
      fixed: { kind: 'ema', allowShort: true, fraction: 0.5 },
    });
    expect(ps.axes.map((a) => a.name)).toEqual(['fast', 'slow']);
    expect(ps.grid().map((p) => [p.fast, p.slow])).toEqual([[5, 20], [5, 40], [10, 20], [10, 40], [15, 20], [15, 40]]);
    expect(ps.grid()[0]).toEqual({ fast: 5, slow: 20, kind: 'ema', allowShort: true, fraction: 0.5 });
  });

  it('searches bools and enums over all their values and floats over ten steps by default', () => {
    const ps = new ParamSpace('rsi-mean-reversion', rsiMeanReversion.params, { fixed: { period: 14, oversold: 30, overbought: 70, exitLevel: 50 } });
    const byName = Object.fromEntries(ps.axes.map((a) => [a.name, a.values]));
    expect(byName.allowShort).toEqual([false, true]);
    expect(byName.stopLossPct).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]);
  });

  it('applies constraints before anything runs and rejects ranges outside the declaration', () => {
    const ps = new ParamSpace('dual-ma-cross', dualMaCross.params, { ranges: { fast: { min: 2, max: 30 }, slow: { min: 3, max: 30 } }, fixed: { kind: 'sma' }, constraints: ['fast < slow', (p) => p.allowShort === false] });
    const g = ps.grid();
    expect(g.every((p) => (p.fast as number) < (p.slow as number) && p.allowShort === false)).toBe(true);
    // fast in 2..30, slow in 3..30 with fast < slow: for slow = s there are s − 2 fast values.
    let want = 0;
    for (let s = 3; s <= 30; s++) want += s - 2;
    expect(g.length).toBe(want * 11); // × 11 fraction values (ten steps from 0.01 to 1), allowShort fixed to false by the constraint
    expect(() => new ParamSpace('dual-ma-cross', dualMaCross.params, { ranges: { fast: { min: 1, max: 10 } } })).toThrow(ParamError);
    expect(() => new ParamSpace('dual-ma-cross', dualMaCross.params, { ranges: { nope: [1] } })).toThrow(/no parameter "nope"/);
  });

  it('constraint expressions: comparisons, multiples and offsets; unknown names are errors', () => {
    const c = compileConstraint('2 * fast + 1 <= slow', ['fast', 'slow']);
    expect(c({ fast: 10, slow: 21 })).toBe(true);
    expect(c({ fast: 10, slow: 20 })).toBe(false);
    expect(compileConstraint('fast != 3', ['fast'])({ fast: 3 })).toBe(false);
    expect(() => compileConstraint('fast < nope', ['fast'])).toThrow(/unknown parameter "nope"/);
    expect(() => compileConstraint('fast', ['fast'])).toThrow(/expected/);
  });

  it('random search is reproducible from the seed, distinct, and respects constraints', () => {
    const ps = new ParamSpace('dual-ma-cross', dualMaCross.params, { fixed: { kind: 'sma', allowShort: false, fraction: 1 }, constraints: ['fast < slow'] });
    const a = ps.random(500, 42);
    expect(ps.random(500, 42)).toEqual(a);
    expect(ps.random(500, 43)).not.toEqual(a);
    expect(new Set(a.map((p) => `${p.fast}/${p.slow}`)).size).toBe(500);
    expect(a.every((p) => (p.fast as number) < (p.slow as number))).toBe(true);
    // A space smaller than the request yields each valid point once.
    const small = new ParamSpace('dual-ma-cross', dualMaCross.params, { ranges: { fast: [5, 10], slow: [8, 20] }, fixed: { kind: 'sma', allowShort: false, fraction: 1 }, constraints: ['fast < slow'] });
    expect(small.random(100, 1).length).toBe(3);
  });
});

describe('objective and ranking', () => {
  it('ranks higher scores first, NaN last, ties by generation order', () => {
    const items = [[1, 3], [NaN, 0], [2, 5], [1, 1], [2, 2]] as const;
    const sorted = [...items].sort((a, b) => compareRanked(a[0], a[1], b[0], b[1]));
    expect(sorted.map((x) => x[1])).toEqual([2, 5, 1, 3, 0]);
  });

  it('TopN keeps the best n whatever the arrival order', () => {
    const rows = new Float64Array(METRIC_COUNT * 6);
    const scores = [0.5, 2, NaN, 2, 1, -1];
    const orders = [[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], [3, 0, 5, 1, 2, 4]];
    const tops = orders.map((order) => {
      const t = new TopN(3);
      for (const i of order) t.offer(scores[i], i, rows, i * METRIC_COUNT);
      return t.results((i) => ({ i })).map((r) => r.index);
    });
    for (const t of tops) expect(t).toEqual([1, 3, 4]);
  });

  it('objectives: a metric, a minimized metric, a function; unknown names rejected', () => {
    const m = unpackMetrics(new Float64Array(METRIC_COUNT).fill(0));
    m.sharpe = 1.5;
    m.maxDrawdown = 0.2;
    m.cagr = 0.3;
    expect(compileObjective('sharpe').score(m)).toBe(1.5);
    expect(compileObjective('-maxDrawdown').score(m)).toBe(-0.2);
    expect(compileObjective((x) => x.cagr / x.maxDrawdown).score(m)).toBeCloseTo(1.5, 12);
    expect(() => compileObjective('nope' as 'sharpe')).toThrow(/unknown objective/);
  });
});
