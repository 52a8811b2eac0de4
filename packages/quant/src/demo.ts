import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { backtestFile, writeReport } from './cli/run.js';
import type { Metrics } from './metrics/compute.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where to write the HTML report. */
  reportPath: string;
  /** CSV to use instead of vega-datasets' S&P 500 daily file. */
  dataPath?: string;
}

/** What {@link runDemo} returns. */
export interface DemoSummary {
  /** CSV file used. */
  data: string;
  /** Strategy name. */
  strategy: string;
  /** Resolved parameters. */
  params: Record<string, unknown>;
  /** First bar date (UTC). */
  from: string;
  /** Last bar date (UTC). */
  to: string;
  /** Number of bars. */
  bars: number;
  /** Number of closed trades. */
  trades: number;
  /** All metrics. */
  metrics: Metrics;
  /** Where the report was written. */
  reportPath: string;
}

/**
 * Locates `data/sp500-2000.csv` in the `vega-datasets` package: S&P 500 daily OHLCV (with adjusted
 * close) from 2000-01-03 to 2020-04-17, the longest real OHLCV series it ships. The package exports
 * only its JS entry, so the data folder is found relative to that.
 */
export function sp500DataPath(): string {
  // Resolve from this module first (works from any working directory), then from the working
  // directory (for bundles copied out of the monorepo).
  for (const base of [import.meta.url, join(process.cwd(), 'noop.js')]) {
    try {
      return join(dirname(createRequire(base).resolve('vega-datasets')), '..', 'data', 'sp500-2000.csv');
    } catch {
      // try the next base
    }
  }
  throw new Error('the vega-datasets package is not installed; install it or pass dataPath');
}

/**
 * Backtests the classic 50/200-day moving-average cross ("golden cross") on the S&P 500 daily series
 * 2000–2020 with 5 bp taker fees and 2 bp slippage, fills at the next open, annualized on the
 * 252-day equities calendar; writes the HTML report and returns a summary.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const data = options.dataPath ?? sp500DataPath();
  const params = { fast: 50, slow: 200 };
  const run = await backtestFile({
    data,
    strategy: 'dual-ma-cross',
    params,
    timeframe: '1d',
    calendar: 'equities',
    // Exchange holidays and weekends are gaps in daily equity data, not errors.
    csv: { gaps: 'allow' },
    backtest: { initialCash: 100_000, fees: { taker: 0.0005 }, slippageBps: 2 },
  });
  const t = run.load.series.time;
  const from = new Date(t[0]).toISOString().slice(0, 10);
  const to = new Date(t[t.length - 1]).toISOString().slice(0, 10);
  await writeReport(options.reportPath, run, 'S&P 500 golden cross (50/200-day SMA)', `S&P 500 daily, ${from} → ${to}, ${t.length} bars (vega-datasets sp500-2000.csv)`);
  return {
    data, strategy: 'dual-ma-cross', params: run.result.params, from, to, bars: t.length,
    trades: run.result.trades.length, metrics: run.metrics, reportPath: options.reportPath,
  };
}
