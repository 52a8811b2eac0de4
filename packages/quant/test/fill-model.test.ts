import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limitFillPrice, slip, stopFillPrice, stopLimitFill, type BacktestOptions, type FillReason } from '../src/index.js';
import { runScript, type Ohlc, type Script } from './scripted.js';

interface Row {
  name: string;
  bars: Ohlc[];
  script: Script;
  options?: BacktestOptions;
  /** Expected fills as [bar index, side, price, reason]. */
  fills: [number, 'buy' | 'sell', number, FillReason][];
  /** Expected net PnL of all trades. */
  pnl: number;
  /** Expected exit reason of the last trade. */
  exit?: FillReason;
}

const flat: Ohlc = [100, 101, 99, 100];
const qty1 = { size: { qty: 1 } };

const table: Row[] = [
  {
    name: 'market orders fill at the next bar open',
    bars: [flat, [102, 103, 101, 102], [104, 105, 103, 104], flat],
    script: { 0: (c) => c.enterLong(qty1), 1: (c) => c.exit() },
    fills: [[1, 'buy', 102, 'market'], [2, 'sell', 104, 'market']],
    pnl: 2,
    exit: 'market',
  },
  {
    name: 'fillAt close fills at the signal bar close',
    bars: [flat, [102, 103, 101, 102.5], [104, 105, 103, 104], flat],
    script: { 0: (c) => c.enterLong(qty1), 1: (c) => c.exit() },
    options: { fillAt: 'close' },
    fills: [[0, 'buy', 100, 'market'], [1, 'sell', 102.5, 'market']],
    pnl: 2.5,
  },
  {
    name: 'a gap through the stop-loss fills at the open, not the stop',
    bars: [flat, flat, [90, 92, 88, 91], flat],
    script: { 0: (c) => c.enterLong({ ...qty1, stopLoss: { pct: 0.05 } }) },
    fills: [[1, 'buy', 100, 'market'], [2, 'sell', 90, 'stop-loss']],
    pnl: -10,
    exit: 'stop-loss',
  },
  {
    name: 'a stop-loss touched intrabar fills at the stop',
    bars: [flat, flat, [99, 100, 94, 97], flat],
    script: { 0: (c) => c.enterLong({ ...qty1, stopLoss: { price: 95 } }) },
    fills: [[1, 'buy', 100, 'market'], [2, 'sell', 95, 'stop-loss']],
    pnl: -5,
  },
  {
    name: 'take-profit fills at the target, or at a better gapped open',
    bars: [flat, flat, [105, 112, 104, 111], flat],
    script: { 0: (c) => c.enterLong({ ...qty1, takeProfit: { pct: 0.1 } }) },
    fills: [[1, 'buy', 100, 'market'], [2, 'sell', 110, 'take-profit']],
    pnl: 10,
    exit: 'take-profit',
  },
  {
    name: 'take-profit gapped over fills at the open',
    bars: [flat, flat, [115, 116, 113, 114], flat],
    script: { 0: (c) => c.enterLong({ ...qty1, takeProfit: { distance: 10 } }) },
    fills: [[1, 'buy', 100, 'market'], [2, 'sell', 115, 'take-profit']],
    pnl: 15,
  },
  {
    name: 'stop-loss and take-profit in the same bar: the stop is taken (conservative)',
    bars: [flat, flat, [100, 111, 94, 105], flat],
    script: { 0: (c) => c.enterLong({ ...qty1, stopLoss: { price: 95 }, takeProfit: { price: 110 } }) },
    fills: [[1, 'buy', 100, 'market'], [2, 'sell', 95, 'stop-loss']],
    pnl: -5,
    exit: 'stop-loss',
  },
  {
    name: 'exits watch the entry bar when the entry filled at its open',
    bars: [flat, [100, 101, 94, 96], flat],
    script: { 0: (c) => c.enterLong({ ...qty1, stopLoss: { price: 95 } }) },
    fills: [[1, 'buy', 100, 'market'], [1, 'sell', 95, 'stop-loss']],
    pnl: -5,
  },
  {
    name: 'limit buy waits for the low to reach it and fills at the limit',
    bars: [flat, [100, 101, 98, 100], [99, 100, 96, 98], flat],
    script: { 0: (c) => c.order({ side: 'buy', type: 'limit', limitPrice: 97, ...qty1 }) },
    fills: [[2, 'buy', 97, 'limit'], [3, 'sell', 100, 'end-of-data']],
    pnl: 3,
    exit: 'end-of-data',
  },
  {
    name: 'limit buy below a gap-down open fills at the open',
    bars: [flat, [95, 96, 94, 95], flat],
    script: { 0: (c) => c.order({ side: 'buy', type: 'limit', limitPrice: 97, ...qty1 }) },
    fills: [[1, 'buy', 95, 'limit'], [2, 'sell', 100, 'end-of-data']],
    pnl: 5,
  },
  {
    name: 'stop buy fills at the stop, or at the open when gapped through',
    bars: [flat, [103, 106, 102, 104], flat, [107, 108, 106, 107]],
    script: {
      0: (c) => c.order({ side: 'buy', type: 'stop', stopPrice: 105, ...qty1 }),
      1: (c) => c.order({ side: 'buy', type: 'stop', stopPrice: 105, ...qty1 }),
    },
    options: { maxLeverage: 10 },
    fills: [[1, 'buy', 105, 'stop'], [3, 'buy', 107, 'stop'], [3, 'sell', 107, 'end-of-data']],
    pnl: 2,
  },
  {
    name: 'stop-limit triggered intrabar with limit ≥ stop fills at the stop',
    bars: [flat, [103, 107, 102, 104], flat],
    script: { 0: (c) => c.order({ side: 'buy', type: 'stop-limit', stopPrice: 105, limitPrice: 106, ...qty1 }) },
    fills: [[1, 'buy', 105, 'stop-limit'], [2, 'sell', 100, 'end-of-data']],
    pnl: -5,
  },
  {
    name: 'stop-limit with limit below the stop rests until price returns',
    bars: [flat, [103, 107, 102, 104], [104.5, 105, 103, 104], flat],
    script: { 0: (c) => c.order({ side: 'buy', type: 'stop-limit', stopPrice: 105, limitPrice: 104, ...qty1 }) },
    fills: [[2, 'buy', 104, 'stop-limit'], [3, 'sell', 100, 'end-of-data']],
    pnl: -4,
  },
  {
    name: 'short: sell first, buy back lower',
    bars: [flat, flat, [90, 91, 89, 90], [88, 89, 87, 88]],
    script: { 0: (c) => c.enterShort({ size: { qty: 2 } }), 2: (c) => c.exit() },
    fills: [[1, 'sell', 100, 'market'], [3, 'buy', 88, 'market']],
    pnl: 24,
  },
  {
    name: 'short stop-loss sits above entry and gaps fill at the open',
    bars: [flat, flat, [108, 110, 107, 109], flat],
    script: { 0: (c) => c.enterShort({ ...qty1, stopLoss: { pct: 0.05 } }) },
    fills: [[1, 'sell', 100, 'market'], [2, 'buy', 108, 'stop-loss']],
    pnl: -8,
  },
  {
    name: 'enterLong while short reverses in one order',
    bars: [flat, flat, [90, 91, 89, 90], [95, 96, 94, 95], flat],
    script: { 0: (c) => c.enterShort(qty1), 2: (c) => c.enterLong(qty1) },
    fills: [[1, 'sell', 100, 'market'], [3, 'buy', 95, 'market'], [4, 'sell', 100, 'end-of-data']],
    pnl: 5 + 5,
  },
  {
    name: 'the latest intent wins: enterShort then enterLong on one bar leaves only the long',
    bars: [flat, [102, 103, 101, 102], flat],
    script: { 0: (c) => { c.enterShort(qty1); c.enterLong(qty1); } },
    fills: [[1, 'buy', 102, 'market'], [2, 'sell', 100, 'end-of-data']],
    pnl: -2,
  },
  {
    name: 'taker and fixed fees are charged on both legs',
    bars: [flat, flat, [110, 111, 109, 110], flat],
    script: { 0: (c) => c.enterLong(qty1), 1: (c) => c.exit() },
    options: { fees: { taker: 0.001, fixed: 1 } },
    fills: [[1, 'buy', 100, 'market'], [2, 'sell', 110, 'market']],
    pnl: 10 - (0.1 + 1) - (0.11 + 1),
  },
  {
    name: 'maker fee applies to limit fills and take-profits',
    bars: [flat, [99, 100, 96, 98], [104, 106, 103, 105], flat],
    script: { 0: (c) => c.order({ side: 'buy', type: 'limit', limitPrice: 97, ...qty1, takeProfit: { price: 105 } }) },
    options: { fees: { maker: 0.01, taker: 0.5 } },
    fills: [[1, 'buy', 97, 'limit'], [2, 'sell', 105, 'take-profit']],
    pnl: 8 - 0.97 - 1.05,
  },
  {
    name: 'slippage in basis points moves fills against the trader, clamped to the bar',
    bars: [flat, [100, 102, 99, 101], [110, 110, 108, 109], flat],
    script: { 0: (c) => c.enterLong(qty1), 1: (c) => c.exit() },
    options: { slippageBps: 50 },
    fills: [[1, 'buy', 100.5, 'market'], [2, 'sell', 109.45, 'market']],
    pnl: 109.45 - 100.5,
  },
  {
    name: 'a slipped buy at a bar that opens at its high fills at the high',
    bars: [flat, [100, 100, 98, 99], flat],
    script: { 0: (c) => c.enterLong(qty1), 1: (c) => c.exit() },
    options: { slippageBps: 50 },
    fills: [[1, 'buy', 100, 'market'], [2, 'sell', 99.5, 'market']],
    pnl: -0.5,
  },
  {
    name: 'trailing stop follows the best high of earlier bars',
    bars: [flat, [100, 110, 99, 108], [108, 109, 104, 106], flat],
    script: { 0: (c) => c.enterLong({ ...qty1, trailingStop: { distance: 5 } }) },
    fills: [[1, 'buy', 100, 'market'], [2, 'sell', 105, 'trailing-stop']],
    pnl: 5,
    exit: 'trailing-stop',
  },
  {
    name: 'short trailing stop follows the lowest low of earlier bars',
    bars: [flat, [100, 101, 90, 92], [92, 96, 91, 95], flat],
    script: { 0: (c) => c.enterShort({ ...qty1, trailingStop: { distance: 5 } }) },
    fills: [[1, 'sell', 100, 'market'], [2, 'buy', 95, 'trailing-stop']],
    pnl: 5,
    exit: 'trailing-stop',
  },
  {
    name: 'short take-profit below the entry',
    bars: [flat, flat, [97, 98, 89, 90], flat],
    script: { 0: (c) => c.enterShort({ ...qty1, takeProfit: { pct: 0.1 } }) },
    fills: [[1, 'sell', 100, 'market'], [2, 'buy', 90, 'take-profit']],
    pnl: 10,
  },
  {
    name: 'sell stop below a long fills at the stop, or at a gapped-down open',
    bars: [flat, flat, [97, 98, 94, 96], flat],
    script: { 0: (c) => c.enterLong(qty1), 1: (c) => c.order({ side: 'sell', type: 'stop', stopPrice: 95, ...qty1 }) },
    fills: [[1, 'buy', 100, 'market'], [2, 'sell', 95, 'stop']],
    pnl: -5,
    exit: 'stop',
  },
  {
    name: 'sell limit above a long fills at the limit',
    bars: [flat, flat, [101, 104, 100, 102], flat],
    script: { 0: (c) => c.enterLong(qty1), 1: (c) => c.order({ side: 'sell', type: 'limit', limitPrice: 103, ...qty1 }) },
    options: { fees: { maker: 0.001, taker: 0.01 } },
    fills: [[1, 'buy', 100, 'market'], [2, 'sell', 103, 'limit']],
    pnl: 3 - 1 - 0.103,
  },
];

describe('fill model tables (bars and signals in; fills, exit reasons and PnL out)', () => {
  for (const row of table) {
    it(row.name, () => {
      const r = runScript(row.bars, row.script, row.options);
      const got = r.fills.map((f) => [f.index, f.side, f.price, f.reason]);
      expect(got.length).toBe(row.fills.length);
      got.forEach((g, k) => {
        expect(g[0]).toBe(row.fills[k][0]);
        expect(g[1]).toBe(row.fills[k][1]);
        expect(g[2] as number).toBeCloseTo(row.fills[k][2], 9);
        expect(g[3]).toBe(row.fills[k][3]);
      });
      const pnl = r.trades.reduce((s, t) => s + t.netPnl, 0);
      expect(pnl).toBeCloseTo(row.pnl, 9);
      expect(r.final.equity - r.options.initialCash).toBeCloseTo(row.pnl, 9);
      if (row.exit) expect(r.trades[r.trades.length - 1].exitReason).toBe(row.exit);
    });
  }
});

describe('fill price rules never leave the bar', () => {
  const bar = fc
    .tuple(fc.double({ min: 1, max: 1000, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.5, max: 1.5, noNaN: true }))
    .map(([low, a, b, spread]) => {
      const high = low * (1 + spread * 0.1);
      return { low, high, open: low + a * (high - low), level: low * (0.9 + b * 0.3) };
    });
  it('limit, stop, stop-limit and slippage prices lie in [low, high]', () => {
    fc.assert(
      fc.property(bar, fc.constantFrom('buy' as const, 'sell' as const), fc.double({ min: 0, max: 500, noNaN: true }), (b, side, bps) => {
        const within = (p: number) => Number.isNaN(p) || (p >= b.low && p <= b.high);
        expect(within(limitFillPrice(side, b.level, b.open, b.high, b.low))).toBe(true);
        expect(within(stopFillPrice(side, b.level, b.open, b.high, b.low))).toBe(true);
        expect(within(stopLimitFill(side, b.level, b.level * 1.01, b.open, b.high, b.low).price)).toBe(true);
        expect(within(slip(side, b.open, bps, b.low, b.high))).toBe(true);
        // A buy limit never pays more than its limit; a sell limit never receives less.
        const lp = limitFillPrice(side, b.level, b.open, b.high, b.low);
        if (!Number.isNaN(lp)) expect(side === 'buy' ? lp <= b.level : lp >= b.level).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
