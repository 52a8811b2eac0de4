import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ColumnarFills, crossTargets, defineStrategy, dualMaCross, ema, runBacktest, runVectorized, sma, type BacktestOptions } from '../src/index.js';
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

  it('a reused fill log gives the same fills and trades as a fresh one, run after run', () => {
    const target = crossTargets(sma(data.close, 10), sma(data.close, 30), true);
    const fresh = runVectorized(data, target, { fees: { taker: 0.001 } });
    const buffers = { equity: new Float64Array(data.length), inMarket: new Uint8Array(data.length), fills: new ColumnarFills(4) };
    // A first run with more fills than the second leaves stale rows behind a shorter log.
    const busy = runVectorized(data, crossTargets(sma(data.close, 2), sma(data.close, 3), true), { buffers });
    expect(busy.fills.length).toBeGreaterThan(fresh.fills.length);
    const reused = runVectorized(data, target, { fees: { taker: 0.001 }, buffers });
    expect(reused.fills).toEqual(fresh.fills);
    expect(reused.trades).toEqual(fresh.trades);
    expect(reused.final).toEqual(fresh.final);
    // The first result's fills were read before the rerun and stay; its trades were not, and now refuse.
    expect(() => busy.trades).toThrow(/reused by a later run/);
  });

  it('a result whose reused fill log was overwritten refuses to read it', () => {
    const buffers = { equity: new Float64Array(data.length), inMarket: new Uint8Array(data.length) };
    const first = runVectorized(data, crossTargets(sma(data.close, 10), sma(data.close, 30)), { buffers });
    const trades = first.trades; // read before the next run: kept
    runVectorized(data, crossTargets(sma(data.close, 5), sma(data.close, 20)), { buffers });
    expect(first.trades).toBe(trades);
    expect(() => first.fills).toThrow(/reused by a later run/);
  });

  it('rejects a target array of the wrong length', () => {
    expect(() => runVectorized(data, new Int8Array(3))).toThrow(/3 values for 20000 bars/);
  });
});

describe('vectorized path ≡ event-driven engine (property)', () => {
  it('for random target sequences, fees, slippage, sizing and fill timing', () => {
    const series = randomWalk(400, 17);
    // An event-driven strategy that follows a target array: the reference the fast path must match.
    const follower = (target: Int8Array, size: { fraction: number } | { qty: number }) =>
      defineStrategy({
        name: 'follower',
        params: {},
        init: () => ({ prev: 0 }),
        onBar(ctx) {
          const t = target[ctx.bars.index];
          if (t === ctx.state.prev) return;
          ctx.state.prev = t;
          if (t === 1) ctx.enterLong({ size });
          else if (t === -1) ctx.enterShort({ size });
          else ctx.exit();
        },
      });
    fc.assert(
      fc.property(
        fc.array(fc.record({ len: fc.integer({ min: 1, max: 30 }), t: fc.constantFrom(-1, 0, 1) }), { minLength: 1, maxLength: 40 }),
        fc.record({
          taker: fc.integer({ min: 0, max: 50 }).map((x) => x / 10_000),
          fixed: fc.integer({ min: 0, max: 3 }),
          slippageBps: fc.integer({ min: 0, max: 30 }),
          fillAt: fc.constantFrom('next-open' as const, 'close' as const),
          size: fc.oneof(fc.integer({ min: 1, max: 100 }).map((x) => ({ fraction: x / 100 })), fc.integer({ min: 1, max: 50 }).map((x) => ({ qty: x }))),
        }),
        (runs, o) => {
          const target = new Int8Array(series.length);
          let i = 0;
          for (const r of runs) for (let k = 0; k < r.len && i < target.length; k++) target[i++] = r.t;
          const opts = { fees: { taker: o.taker, fixed: o.fixed }, slippageBps: o.slippageBps, fillAt: o.fillAt, initialCash: 10_000 };
          const ev = runBacktest(series, follower(target, o.size), {}, opts);
          const vec = runVectorized(series, target, { ...opts, size: o.size });
          expect(vec.fills).toEqual(ev.fills);
          expect(vec.trades).toEqual(ev.trades);
          expect(vec.rejected).toEqual(ev.rejected);
          expect(vec.equity).toEqual(ev.equity);
          expect(vec.final).toEqual(ev.final);
        },
      ),
      { numRuns: 150 },
    );
  });
});
