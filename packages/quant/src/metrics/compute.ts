import type { BacktestResult } from '../backtest/types.js';
import { type Calendar, periodsPerYear } from './periods.js';
import { barReturns, downsideDeviation, drawdowns, mean, sampleStdDev } from './returns.js';

/** Metric options. */
export interface MetricsOptions {
  /** Bars per year; overrides the value derived from the timeframe and calendar. */
  periodsPerYear?: number;
  /** Calendar for deriving bars per year from the timeframe (default `crypto`: 365 days, 24 h). */
  calendar?: Calendar;
  /** Annual risk-free rate for Sharpe and Sortino (default 0). */
  riskFreeRate?: number;
}

/** Every reported metric. Fractions, not percent (0.1 = 10 %). Formulas in docs/metrics.md. */
export interface Metrics {
  /** Number of bars N. */
  bars: number;
  /** Bars per year P used to annualize. */
  periodsPerYear: number;
  /** N / P. */
  years: number;
  /** Starting cash E₀. */
  initialEquity: number;
  /** Equity at the last close. */
  finalEquity: number;
  /** E_end / E₀ − 1. */
  totalReturn: number;
  /** Compound annual growth rate. */
  cagr: number;
  /** Annualized standard deviation of bar returns. */
  volatility: number;
  /** Annualized Sharpe ratio. */
  sharpe: number;
  /** Annualized Sortino ratio. */
  sortino: number;
  /** CAGR / max drawdown. */
  calmar: number;
  /** Largest peak-to-trough loss, fraction of the peak. */
  maxDrawdown: number;
  /** Longest time under water, in bars. */
  maxDrawdownBars: number;
  /** Closed trades. */
  tradeCount: number;
  /** Share of trades with positive net PnL. */
  winRate: number;
  /** Mean net PnL of winning trades. */
  avgWin: number;
  /** Mean net PnL of losing trades (≤ 0). */
  avgLoss: number;
  /** Gross wins / gross losses. */
  profitFactor: number;
  /** Mean net PnL per trade. */
  expectancy: number;
  /** System Quality Number √T · mean / sd of trade PnL. */
  sqn: number;
  /** Share of bars closed with a position. */
  exposure: number;
  /** Total fees. */
  feesPaid: number;
  /** Benchmark: last close / first close − 1. */
  buyAndHoldReturn: number;
  /** Benchmark CAGR. */
  buyAndHoldCagr: number;
}

// Bar returns of the latest call, reused: computeMetrics is synchronous and reads them only before returning.
let scratch = new Float64Array(0);

/**
 * Computes the metrics of a backtest. Bars per year come from `options.periodsPerYear`, else from the
 * result's timeframe and the calendar; a run without a timeframe must pass `periodsPerYear`.
 */
export function computeMetrics(result: BacktestResult, options: MetricsOptions = {}): Metrics {
  const ppy = options.periodsPerYear ?? (result.timeframe ? periodsPerYear(result.timeframe, options.calendar ?? 'crypto') : NaN);
  if (!(ppy > 0)) throw new RangeError('computeMetrics needs periodsPerYear, or a timeframe on the backtest result');
  const e0 = result.options.initialCash;
  const eq = result.equity;
  const n = eq.length;
  const eN = n > 0 ? eq[n - 1] : e0;
  const years = n / ppy;
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  const r = barReturns(eq, e0, scratch);
  const rf = (options.riskFreeRate ?? 0) / ppy;
  // x − 0 is x to the bit, so with no risk-free rate the returns are the excess returns (and the
  // copy, which cost more than everything else here, is skipped).
  const excess = rf === 0 ? r : r.map((x) => x - rf);
  const sd = sampleStdDev(r);
  const dd = drawdowns(eq, e0, false);
  const cagr = years > 0 ? (eN / e0) ** (1 / years) - 1 : NaN;

  const pnl = result.trades.map((t) => t.netPnl);
  const wins = pnl.filter((x) => x > 0);
  const losses = pnl.filter((x) => x <= 0);
  const grossWin = wins.reduce((s, x) => s + x, 0);
  const grossLoss = -losses.reduce((s, x) => s + x, 0);
  let held = 0;
  for (let i = 0; i < n; i++) held += result.inMarket[i];
  const c = result.close;
  const bh = n > 0 ? c[n - 1] / c[0] - 1 : NaN;

  return {
    bars: n,
    periodsPerYear: ppy,
    years,
    initialEquity: e0,
    finalEquity: eN,
    totalReturn: eN / e0 - 1,
    cagr,
    volatility: sd * Math.sqrt(ppy),
    sharpe: sd > 0 ? (mean(excess) / sd) * Math.sqrt(ppy) : NaN,
    sortino: (() => {
      const d = downsideDeviation(r, rf);
      return d > 0 ? (mean(excess) / d) * Math.sqrt(ppy) : NaN;
    })(),
    calmar: dd.maxDrawdown > 0 ? cagr / dd.maxDrawdown : NaN,
    maxDrawdown: dd.maxDrawdown,
    maxDrawdownBars: dd.maxDrawdownBars,
    tradeCount: pnl.length,
    winRate: pnl.length ? wins.length / pnl.length : NaN,
    avgWin: wins.length ? grossWin / wins.length : NaN,
    avgLoss: losses.length ? -grossLoss / losses.length : NaN,
    profitFactor: grossLoss > 0 ? grossWin / grossLoss : grossWin > 0 ? Infinity : NaN,
    expectancy: pnl.length ? mean(pnl) : NaN,
    sqn: pnl.length >= 2 && sampleStdDev(pnl) > 0 ? (Math.sqrt(pnl.length) * mean(pnl)) / sampleStdDev(pnl) : NaN,
    exposure: n ? held / n : NaN,
    feesPaid: result.final.feesPaid,
    buyAndHoldReturn: bh,
    buyAndHoldCagr: years > 0 ? (1 + bh) ** (1 / years) - 1 : NaN,
  };
}
