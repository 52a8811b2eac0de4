import { describe, expect, it } from 'vitest';
import { BarCursor, LookAheadError, OhlcvSeries, defineStrategy, runBacktest } from '../src/index.js';
import { randomWalk } from './synthetic.js';

describe('look-ahead is impossible by construction', () => {
  const data = randomWalk(50, 3);

  it('a strategy that reads the next bar fails with a clear error', () => {
    const peeker = defineStrategy({
      name: 'peeker',
      params: {},
      init: () => ({}),
      onBar(ctx) {
        if (ctx.bars.close(-1) > ctx.bars.close(0)) ctx.enterLong();
      },
    });
    expect(() => runBacktest(data, peeker)).toThrow(LookAheadError);
    expect(() => runBacktest(data, peeker)).toThrow(
      /look-ahead blocked: close\(-1\) asks for a bar after the current bar 0 \(2024-01-01T00:00:00.000Z\)/,
    );
  });

  it('every accessor refuses negative and fractional offsets, past bars are readable', () => {
    const seen: number[] = [];
    const s = defineStrategy({
      name: 'reader',
      params: {},
      init: () => ({}),
      onBar(ctx) {
        const b = ctx.bars;
        for (const f of [() => b.open(-1), () => b.high(-2), () => b.low(-1), () => b.volume(-1), () => b.time(-1), () => b.bar(-1), () => b.close(0.5)]) {
          expect(f).toThrow(LookAheadError);
        }
        expect(b.close(0)).toBe(data.close[b.index]);
        expect(b.close(1)).toBe(b.index >= 1 ? data.close[b.index - 1] : NaN);
        expect(b.history('close').length).toBe(b.index + 1);
        seen.push(b.length);
      },
    });
    runBacktest(data, s);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('nothing reachable from the strategy context leads to future bars', () => {
    const leaks: string[] = [];
    const walk = (v: unknown, path: string, depth: number, seen: Set<unknown>, index: number) => {
      if (v === null || typeof v !== 'object' || seen.has(v) || depth > 5) return;
      seen.add(v);
      if (v instanceof OhlcvSeries) leaks.push(path);
      if (ArrayBuffer.isView(v) && (v as Float64Array).length > index + 1) leaks.push(path);
      if (v instanceof SharedArrayBuffer) leaks.push(path);
      // Data properties only: invoking prototype getters on the prototype itself is meaningless.
      for (const k of Object.getOwnPropertyNames(v)) {
        const d = Object.getOwnPropertyDescriptor(v, k);
        if (d && 'value' in d) walk(d.value, `${path}.${k}`, depth + 1, seen, index);
      }
      walk(Object.getPrototypeOf(v), `${path}.__proto__`, depth + 1, seen, index);
    };
    const probe = defineStrategy({
      name: 'probe',
      params: {},
      init: () => ({}),
      onBar(ctx) {
        if (ctx.bars.index !== 10) return;
        ctx.order({ side: 'buy', type: 'limit', limitPrice: 1, size: { qty: 1 } });
        const seen = new Set<unknown>();
        walk(ctx, 'ctx', 0, seen, 10);
        // And everything the public getters hand out.
        walk({ position: ctx.position, openOrders: ctx.openOrders, state: ctx.state, params: ctx.params }, 'getters', 0, seen, 10);
        expect(seen.size).toBeGreaterThan(5);
      },
    });
    runBacktest(data, probe);
    expect(leaks).toEqual([]);
  });

  it('the cursor exposes no reference to the underlying series', () => {
    const cursor = new BarCursor(OhlcvSeries.fromBars([data.bar(0), data.bar(1)]));
    cursor.seek(0);
    const reachable = Object.values(cursor).concat(Object.getOwnPropertyNames(cursor).map((k) => (cursor as never)[k]));
    expect(reachable.some((v) => v instanceof OhlcvSeries || v instanceof Float64Array)).toBe(false);
    expect(cursor.history('close')).toEqual(new Float64Array([data.close[0]]));
  });
});
