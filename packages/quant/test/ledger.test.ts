import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Ledger, LedgerInvariantError, type StrategyContext } from '../src/index.js';
import { runScript, type Ohlc, type Script } from './scripted.js';

describe('Ledger', () => {
  it('books a long round trip, a reversal and a short', () => {
    const L = new Ledger(1000);
    L.fill(2, 100, 1); // buy 2 @ 100, fee 1
    expect([L.cash, L.qty, L.avgPrice]).toEqual([799, 2, 100]);
    L.fill(1, 110, 0); // add: average 103.333…
    expect(L.avgPrice).toBeCloseTo(310 / 3, 12);
    const realized = L.fill(-5, 120, 0); // sell 3 closes, 2 opens short @ 120
    expect(realized).toBeCloseTo(3 * (120 - 310 / 3), 9);
    expect([L.qty, L.avgPrice]).toEqual([-2, 120]);
    expect(L.marginUsed(125)).toBe(250);
    expect(L.unrealizedPnl(125)).toBe(-10);
    expect(L.check(125, 'test')).toBeCloseTo(1000 - 1 + 50 - 10, 9);
  });

  it('throws when the books no longer add up', () => {
    const L = new Ledger(1000);
    L.fill(1, 100, 0);
    L.cash += 0.01; // simulate a booking bug
    expect(() => L.check(100, 'bar 7')).toThrow(LedgerInvariantError);
    expect(() => L.check(100, 'bar 7')).toThrow(/bar 7/);
  });

  it('property: equity = initial + realized + unrealized − fees after any fill sequence', () => {
    const fillArb = fc.record({
      dq: fc.double({ min: -50, max: 50, noNaN: true }).filter((x) => Math.abs(x) > 1e-6),
      price: fc.double({ min: 1, max: 1000, noNaN: true }),
      fee: fc.double({ min: 0, max: 5, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 60 }), fc.double({ min: 1, max: 1000, noNaN: true }), (fills, mark) => {
        const L = new Ledger(10_000);
        for (const f of fills) L.fill(f.dq, f.price, f.fee);
        const eq = L.check(mark, 'property');
        expect(eq).toBeCloseTo(L.cash + L.qty * mark, 6);
      }),
      { numRuns: 500 },
    );
  });
});

type Action =
  | { k: 'buy' | 'sell'; qty: number; type: 'market' | 'limit' | 'stop'; off: number }
  | { k: 'long' | 'short'; frac: number; sl: number; tp: number; trail: number }
  | { k: 'exit' }
  | { k: 'cancel' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    k: fc.constantFrom('buy' as const, 'sell' as const),
    qty: fc.double({ min: 0.01, max: 20, noNaN: true }),
    type: fc.constantFrom('market' as const, 'limit' as const, 'stop' as const),
    off: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
  }),
  fc.record({
    k: fc.constantFrom('long' as const, 'short' as const),
    frac: fc.double({ min: 0.05, max: 1, noNaN: true }),
    // Percent steps rather than raw doubles: fast-check's doubles cluster near 0 and the bounds,
    // which would leave most exits unset or never touched.
    sl: fc.integer({ min: 0, max: 8 }).map((x) => x / 100),
    tp: fc.integer({ min: 0, max: 8 }).map((x) => x / 100),
    trail: fc.integer({ min: 0, max: 8 }).map((x) => x / 100),
  }),
  fc.constant({ k: 'exit' as const }),
  fc.constant({ k: 'cancel' as const }),
);

const pct = (lo: number, hi: number) => fc.integer({ min: lo * 10, max: hi * 10 }).map((x) => x / 1000);
const barsArb = fc.array(fc.tuple(pct(-3, 3), pct(0, 4), pct(0, 4), pct(-5, 5)), { minLength: 5, maxLength: 60 })
  .map((steps) => {
    let p = 100;
    return steps.map(([gap, up, down, move]): Ohlc => {
      const open = p * (1 + gap);
      const close = open * (1 + move);
      const bar: Ohlc = [open, Math.max(open, close) * (1 + up), Math.min(open, close) * (1 - down), close];
      p = close;
      return bar;
    });
  });

function apply(ctx: StrategyContext<{}, unknown>, a: Action): void {
  const c = ctx.bars.close(0);
  switch (a.k) {
    case 'buy':
    case 'sell':
      if (a.type === 'market') ctx.order({ side: a.k, size: { qty: a.qty } });
      else if (a.type === 'limit') ctx.order({ side: a.k, type: 'limit', limitPrice: c * (1 + a.off), size: { qty: a.qty } });
      else ctx.order({ side: a.k, type: 'stop', stopPrice: c * (1 + Math.abs(a.off) * (a.k === 'buy' ? 1 : -1)), size: { qty: a.qty } });
      break;
    case 'long':
    case 'short': {
      const req = {
        size: { fraction: a.frac },
        ...(a.sl > 0.001 ? { stopLoss: { pct: a.sl } } : {}),
        ...(a.tp > 0.001 ? { takeProfit: { pct: a.tp } } : {}),
        ...(a.trail > 0.001 ? { trailingStop: { pct: a.trail } } : {}),
      };
      if (a.k === 'long') ctx.enterLong(req);
      else ctx.enterShort(req);
      break;
    }
    case 'exit':
      ctx.exit();
      break;
    case 'cancel':
      ctx.cancelAll();
  }
}

describe('engine ledger invariant over random order sequences (property)', () => {
  it('never throws, and equity replayed from the fill log matches the curve on every bar', () => {
    const seen = { fills: 0, shorts: 0, exits: 0, rejected: 0 };
    fc.assert(
      fc.property(
        barsArb,
        fc.array(fc.array(actionArb, { maxLength: 3 }), { maxLength: 60 }),
        fc.record({
          taker: fc.double({ min: 0, max: 0.005, noNaN: true }),
          maker: fc.double({ min: 0, max: 0.002, noNaN: true }),
          fixed: fc.double({ min: 0, max: 2, noNaN: true }),
          slippageBps: fc.double({ min: 0, max: 30, noNaN: true }),
          fillAt: fc.constantFrom('next-open' as const, 'close' as const),
          maxLeverage: fc.constantFrom(1, 2, 5),
        }),
        (rows, actions, o) => {
          const script: Script = {};
          actions.forEach((list, i) => {
            script[i] = (ctx) => list.forEach((a) => apply(ctx, a));
          });
          const r = runScript(rows, script, {
            fees: { taker: o.taker, maker: o.maker, fixed: o.fixed }, slippageBps: o.slippageBps,
            fillAt: o.fillAt, maxLeverage: o.maxLeverage,
          });
          // Independent replay of the fill log: cash and position per bar, marked at the close.
          let cash = r.options.initialCash;
          let qty = 0;
          let k = 0;
          for (let i = 0; i < rows.length; i++) {
            while (k < r.fills.length && r.fills[k].index === i) {
              const f = r.fills[k++];
              const dq = f.side === 'buy' ? f.qty : -f.qty;
              cash -= dq * f.price + f.fee;
              qty += dq;
              expect(f.price).toBeGreaterThanOrEqual(rows[i][2] - 1e-9);
              expect(f.price).toBeLessThanOrEqual(rows[i][1] + 1e-9);
            }
            const eq = cash + qty * rows[i][3];
            expect(Math.abs(eq - r.equity[i])).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(eq)));
          }
          expect(Math.abs(qty)).toBeLessThan(1e-9);
          const net = r.trades.reduce((s, t) => s + t.netPnl, 0);
          expect(net).toBeCloseTo(r.final.equity - r.options.initialCash, 6);
          seen.fills += r.fills.length;
          seen.shorts += r.trades.filter((t) => t.side === 'short').length;
          seen.exits += r.fills.filter((f) => f.reason === 'stop-loss' || f.reason === 'take-profit' || f.reason === 'trailing-stop').length;
          seen.rejected += r.rejected.length;
        },
      ),
      { numRuns: 300 },
    );
    // Guard against a vacuous property: the random sequences must really trade, short and hit exits.
    expect(seen.fills).toBeGreaterThan(500);
    expect(seen.shorts).toBeGreaterThan(50);
    expect(seen.exits).toBeGreaterThan(50);
  });
});

describe('the engine checks the invariant on every bar', () => {
  it('a booking bug surfaces as LedgerInvariantError naming the bar', () => {
    const original = Ledger.prototype.fill;
    // Simulate a bug: the fee is recorded but never taken from cash.
    const spy = vi.spyOn(Ledger.prototype, 'fill').mockImplementation(function (this: Ledger, dq: number, price: number, fee: number) {
      const r = original.call(this, dq, price, fee);
      this.cash += fee;
      return r;
    });
    try {
      const flat: Ohlc = [100, 101, 99, 100];
      expect(() => runScript([flat, flat, flat], { 0: (c) => c.enterLong({ size: { qty: 1 } }) }, { fees: { fixed: 1 } }))
        .toThrow(/ledger invariant broken at bar 1/);
    } finally {
      spy.mockRestore();
    }
  });
});
