import { dirname, resolve } from 'node:path';
import { ParamError } from '../strategy/params.js';
import { builtinStrategies } from '../strategy/builtins/registry.js';
import { CsvError } from '../data/csv-error.js';
import { parseBacktestArgs, USAGE } from './args.js';
import { ConfigError, loadConfig, validateConfig, type RunConfig } from './config.js';
import { backtestFile, writeReport, writeTrades } from './run.js';
import { metricsTable } from './table.js';
import { optimizerCommand } from './optimize-command.js';
import { OPTIMIZE_USAGE } from './optimize-args.js';
import { liveCommand, LIVE_USAGE } from './live-commands.js';

/** Where the CLI writes; injectable so tests capture output without spawning a process. */
export interface CliIo {
  /** Writes a line of normal output. */
  out(text: string): void;
  /** Writes a line of error output. */
  err(text: string): void;
  /** Where optimizer progress is drawn (omit for none); `tty` selects a redrawn bar over plain lines. */
  progress?: { write(text: string): void; tty: boolean };
  /** Aborted on Ctrl-C: optimizer commands stop and report the best result so far. */
  signal?: AbortSignal;
}

async function backtest(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseBacktestArgs(argv);
  const file = args.config ? await loadConfig(args.config) : {};
  // Command-line flags go through the same validator as the config file.
  const cli = validateConfig({
    ...(args.timeframe ? { timeframe: args.timeframe } : {}),
    ...(args.calendar ? { calendar: args.calendar } : {}),
    ...(args.gaps ? { csv: { gaps: args.gaps } } : {}),
  });
  // A data path written in a config file is relative to that file, not to the working directory.
  const data = args.data ?? (file.data && args.config ? resolve(dirname(args.config), file.data) : file.data);
  const strategy = args.strategy ?? file.strategy;
  if (!data) throw new ConfigError(`missing --data (or "data" in the config)\n${USAGE}`);
  if (!strategy) throw new ConfigError(`missing --strategy (or "strategy" in the config)\n${USAGE}`);
  const cfg: RunConfig = {
    data,
    strategy,
    params: { ...(file.params ?? {}), ...args.params },
    timeframe: cli.timeframe ?? file.timeframe,
    calendar: cli.calendar ?? file.calendar ?? 'crypto',
    periodsPerYear: file.periodsPerYear,
    csv: { ...(file.csv ?? {}), ...(cli.csv ?? {}) },
    backtest: file.backtest ?? {},
  };
  const run = await backtestFile(cfg);
  if (args.trades) await writeTrades(args.trades, run);
  const first = new Date(run.load.series.time[0]).toISOString().slice(0, 10);
  const last = new Date(run.load.series.time[run.load.series.length - 1]).toISOString().slice(0, 10);
  if (args.report) await writeReport(args.report, run, `${cfg.strategy} on ${data.split(/[\\/]/).pop()}`, `${first} → ${last}, ${run.load.series.length} ${run.load.timeframe.text} bars`);
  if (args.json) {
    io.out(JSON.stringify({
      strategy: cfg.strategy, params: run.result.params, data, timeframe: run.load.timeframe.text, from: first, to: last,
      bars: run.load.series.length, metrics: run.metrics, rejected: run.result.rejected.length,
      trades: args.trades ?? null, report: args.report ?? null,
    }));
  } else {
    const params = Object.entries(run.result.params).map(([k, v]) => `${k}=${String(v)}`).join(' ');
    io.out(metricsTable(run.metrics, `${cfg.strategy} ${params} · ${data} · ${first} → ${last} (${run.load.series.length} ${run.load.timeframe.text} bars)`));
    if (args.trades) io.out(`trades written to ${args.trades}`);
    if (args.report) io.out(`report written to ${args.report}`);
  }
  return 0;
}

function listStrategies(io: CliIo): number {
  for (const s of Object.values(builtinStrategies)) {
    io.out(`${s.name}: ${s.description ?? ''}`);
    for (const [k, p] of Object.entries(s.params)) {
      const range = p.type === 'int' || p.type === 'float' ? ` [${p.min}, ${p.max}]` : p.type === 'enum' ? ` {${p.values.join('|')}}` : '';
      io.out(`  ${k}: ${p.type}${range} = ${String(p.default)}${p.description ? `  ${p.description}` : ''}`);
    }
  }
  return 0;
}

/**
 * Runs the CLI and returns the exit code: 0 success, 2 usage or configuration error (message only,
 * no stack), 1 anything unexpected.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      io.out(`${USAGE}\n\n${OPTIMIZE_USAGE}\n\n${LIVE_USAGE}`);
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === 'strategies') return listStrategies(io);
    if (cmd === 'backtest') return await backtest(rest, io);
    const opt = optimizerCommand(cmd, rest, io);
    if (opt) return await opt;
    const live = liveCommand(cmd, rest, io);
    if (live) return await live;
    io.err(`xev-quant: unknown command "${cmd}"\n${USAGE}`);
    return 2;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ParamError || e instanceof CsvError || e instanceof RangeError) {
      io.err(`xev-quant: ${e.message}`);
      return 2;
    }
    io.err(`xev-quant: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}
