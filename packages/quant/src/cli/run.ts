import { writeFile } from 'node:fs/promises';
import { runBacktest } from '../backtest/engine.js';
import type { BacktestResult } from '../backtest/types.js';
import { readOhlcvCsv, type CsvLoadResult } from '../data/csv-reader.js';
import { computeMetrics, type Metrics } from '../metrics/compute.js';
import { renderReport } from '../report/html-report.js';
import { tradesToCsv } from '../report/trades-csv.js';
import { getStrategy } from '../strategy/builtins/registry.js';
import type { RunConfig } from './config.js';

/** Outcome of {@link backtestFile}. */
export interface FileRun {
  /** What the CSV reader returned. */
  load: CsvLoadResult;
  /** The backtest result. */
  result: BacktestResult;
  /** Its metrics. */
  metrics: Metrics;
}

/** Loads a CSV, runs a built-in strategy on it and computes metrics: the CLI's and demo's shared path. */
export async function backtestFile(cfg: RunConfig): Promise<FileRun> {
  const strategy = getStrategy(cfg.strategy);
  const load = await readOhlcvCsv(cfg.data, { ...cfg.csv, timeframe: cfg.timeframe });
  const result = runBacktest(load.series, strategy, cfg.params, { ...cfg.backtest, timeframe: load.timeframe });
  const metrics = computeMetrics(result, { calendar: cfg.calendar, periodsPerYear: cfg.periodsPerYear });
  return { load, result, metrics };
}

/** Writes the HTML report of a run. */
export async function writeReport(path: string, run: FileRun, title: string, subtitle?: string): Promise<void> {
  await writeFile(path, renderReport({ title, subtitle, result: run.result, metrics: run.metrics }));
}

/** Writes the trade log of a run as CSV. */
export async function writeTrades(path: string, run: FileRun): Promise<void> {
  await writeFile(path, tradesToCsv(run.result.trades));
}
