import { describe, expect, it } from 'vitest';
import { computeMetrics, drawdowns, periodsPerYear, type BacktestResult, type Trade } from '../src/index.js';
import { runScript } from './scripted.js';

function fakeResult(equity: number[], trades: Partial<Trade>[] = [], close?: number[]): BacktestResult {
  const n = equity.length;
  return {
    strategy: 't', params: {},
    options: { initialCash: 100, fees: { maker: 0, taker: 0, fixed: 0 }, slippageBps: 0, fillAt: 'next-open', defaultSize: { fraction: 1 }, maxLeverage: 1, shortMarginRate: 1, closeAtEnd: true },
    timeframe: undefined, time: new Float64Array(n), close: new Float64Array(close ?? equity), equity: new Float64Array(equity),
    inMarket: new Uint8Array(n).map((_, i) => (i % 2)), fills: [], trades: trades as Trade[], rejected: [],
    final: { cash: 0, qty: 0, avgPrice: NaN, realizedPnl: 0, unrealizedPnl: 0, feesPaid: 3.5, marginUsed: 0, equity: equity[n - 1] },
  };
}

describe('periods per year', () => {
  it('follows the calendar table in docs/metrics.md', () => {
    expect(periodsPerYear('1d')).toBe(365);
    expect(periodsPerYear('1d', 'equities')).toBe(252);
    expect(periodsPerYear('1h')).toBe(8760);
    expect(periodsPerYear('1h', 'equities')).toBe(1638);
    expect(periodsPerYear('4h')).toBe(2190);
    expect(periodsPerYear('1m')).toBe(525_600);
    expect(periodsPerYear('1w')).toBe(52);
    expect(periodsPerYear('1M')).toBe(12);
  });
});

describe('metrics on a hand-computed curve', () => {
  // E: 100 → 110 → 99 → 121 → 108.9 ; returns +10 %, −10 %, +22.2…%, −10 %
  const eq = [110, 99, 121, 108.9];
  const r = [0.1, -0.1, 121 / 99 - 1, -0.1];
  const m = computeMetrics(
    fakeResult(eq, [{ netPnl: 10 }, { netPnl: -5 }, { netPnl: 20 }, { netPnl: -5 }, { netPnl: 0 }], [50, 55, 45, 60]),
    { periodsPerYear: 4 },
  );
  const mu = r.reduce((s, x) => s + x, 0) / 4;
  const sd = Math.sqrt(r.reduce((s, x) => s + (x - mu) ** 2, 0) / 3);

  it('returns and annualization', () => {
    expect(m.totalReturn).toBeCloseTo(0.089, 12);
    expect(m.years).toBe(1);
    expect(m.cagr).toBeCloseTo(0.089, 12);
    expect(m.volatility).toBeCloseTo(sd * 2, 12);
    expect(m.sharpe).toBeCloseTo((mu / sd) * 2, 12);
    expect(m.sortino).toBeCloseTo((mu / Math.sqrt((0.01 + 0.01) / 4)) * 2, 12);
  });
  it('drawdown, its duration and Calmar', () => {
    // Peaks: 110 (bar 0) then 121 (bar 2). Worst: 99 vs 110 = 10 %, 108.9 vs 121 = 10 %.
    expect(m.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(m.maxDrawdownBars).toBe(1);
    expect(m.calmar).toBeCloseTo(0.089 / 0.1, 12);
  });
  it('trade statistics', () => {
    expect(m.tradeCount).toBe(5);
    expect(m.winRate).toBeCloseTo(0.4, 12);
    expect(m.avgWin).toBe(15);
    expect(m.avgLoss).toBeCloseTo(-10 / 3, 12);
    expect(m.profitFactor).toBe(3);
    expect(m.expectancy).toBe(4);
    const sdP = Math.sqrt([6, -9, 16, -9, -4].reduce((s, d) => s + d * d, 0) / 4);
    expect(m.sqn).toBeCloseTo((Math.sqrt(5) * 4) / sdP, 12);
  });
  it('exposure, fees and the buy-and-hold benchmark', () => {
    expect(m.exposure).toBe(0.5);
    expect(m.feesPaid).toBe(3.5);
    expect(m.buyAndHoldReturn).toBeCloseTo(0.2, 12);
  });
  it('undefined statistics are NaN, not 0', () => {
    const flat = computeMetrics(fakeResult([100, 100, 100]), { periodsPerYear: 365 });
    expect(flat.sharpe).toBeNaN();
    expect(flat.profitFactor).toBeNaN();
    expect(flat.winRate).toBeNaN();
  });
});

describe('drawdown duration', () => {
  it('counts bars under water until the peak is regained or the data ends', () => {
    const d = drawdowns([100, 90, 95, 101, 99, 98, 97], 100);
    expect(d.maxDrawdownBars).toBe(3);
    expect(Array.from(d.series).map((x) => +x.toFixed(4))).toEqual([0, 0.1, 0.05, 0, 0.0198, 0.0297, 0.0396]);
  });
});

describe('metrics from a real run', () => {
  it('annualize from the inferred timeframe and agree with the trade log', () => {
    const flat: [number, number, number, number] = [100, 101, 99, 100];
    const r = runScript([flat, flat, [110, 111, 109, 110], flat], { 0: (c) => c.enterLong({ size: { qty: 10 } }), 1: (c) => c.exit() }, { fees: { taker: 0.001 } });
    const m = computeMetrics(r);
    expect(m.periodsPerYear).toBe(8760);
    expect(m.tradeCount).toBe(1);
    expect(m.feesPaid).toBeCloseTo(1 + 1.1, 9);
    expect(m.totalReturn).toBeCloseTo((100 - 2.1) / 100_000, 12);
    expect(m.exposure).toBe(0.25);
  });
});
