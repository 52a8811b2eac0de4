import type { Metrics } from '../metrics/compute.js';

/** Formats a fraction as a percentage with two decimals, or an em dash for undefined values. */
export function pct(v: number): string {
  return Number.isFinite(v) ? `${(v * 100).toFixed(2)} %` : v === Infinity ? '∞' : '—';
}

/** Formats a number with `d` decimals, or an em dash for undefined values. */
export function num(v: number, d = 2): string {
  return Number.isFinite(v) ? v.toFixed(d) : v === Infinity ? '∞' : '—';
}

/** The metrics as labelled display rows, in the order reports and the CLI table show them. */
export function metricRows(m: Metrics): Array<[string, string]> {
  return [
    ['Total return', pct(m.totalReturn)],
    ['CAGR', pct(m.cagr)],
    ['Buy & hold return', pct(m.buyAndHoldReturn)],
    ['Buy & hold CAGR', pct(m.buyAndHoldCagr)],
    ['Volatility (ann.)', pct(m.volatility)],
    ['Sharpe', num(m.sharpe)],
    ['Sortino', num(m.sortino)],
    ['Calmar', num(m.calmar)],
    ['Max drawdown', pct(m.maxDrawdown)],
    ['Max drawdown duration (bars)', String(m.maxDrawdownBars)],
    ['Trades', String(m.tradeCount)],
    ['Win rate', pct(m.winRate)],
    ['Average win', num(m.avgWin)],
    ['Average loss', num(m.avgLoss)],
    ['Profit factor', num(m.profitFactor)],
    ['Expectancy', num(m.expectancy)],
    ['SQN', num(m.sqn)],
    ['Exposure', pct(m.exposure)],
    ['Fees paid', num(m.feesPaid)],
    ['Final equity', num(m.finalEquity)],
    ['Bars / bars per year', `${m.bars} / ${num(m.periodsPerYear, 0)}`],
  ];
}
