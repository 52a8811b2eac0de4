/**
 * `xev-quant optimize`, `xev-quant walkforward` and `xev-quant worker`: load the data, build the
 * search from flags (and the JSON config's backtest options), run it on local threads or on BullMQ
 * workers, show progress, and on interrupt print the best result found so far.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readOhlcvCsv, type CsvLoadResult } from '../data/csv-reader.js';
import type { Objective, RankedResult } from '../optimizer/objective.js';
import { optimize, type OptimizeOptions } from '../optimizer/optimize.js';
import { RedisRunner } from '../optimizer/redis-runner.js';
import { startRedisWorker } from '../optimizer/redis-worker.js';
import type { SweepRunner } from '../optimizer/runner.js';
import { ThreadRunner } from '../optimizer/thread-runner.js';
import { walkForward } from '../optimizer/walk-forward.js';
import { renderOptimizeReport, renderWalkForwardReport } from '../report/optimizer-report.js';
import { num, pct } from '../report/format.js';
import type { CliIo } from './command.js';
import { ConfigError, loadConfig, validateConfig, type RunConfig } from './config.js';
import { OPTIMIZE_USAGE, parseOptimizeArgs, type OptimizeArgs } from './optimize-args.js';
import { ProgressBar } from './progress.js';

/** Exit code after an interrupt (128 + SIGINT), as shells report a Ctrl-C'd command. */
export const EXIT_INTERRUPTED = 130;

async function setup(args: OptimizeArgs): Promise<{ cfg: Omit<RunConfig, 'params'>; load: CsvLoadResult; base: OptimizeOptions }> {
  const file = args.config ? await loadConfig(args.config) : {};
  const cli = validateConfig({
    ...(args.timeframe ? { timeframe: args.timeframe } : {}),
    ...(args.calendar ? { calendar: args.calendar } : {}),
    ...(args.gaps ? { csv: { gaps: args.gaps } } : {}),
  });
  const data = args.data ?? (file.data && args.config ? resolve(dirname(args.config), file.data) : file.data);
  const strategy = args.strategy ?? file.strategy;
  if (!data) throw new ConfigError(`missing --data (or "data" in the config)\n${OPTIMIZE_USAGE}`);
  if (!strategy) throw new ConfigError(`missing --strategy (or "strategy" in the config)\n${OPTIMIZE_USAGE}`);
  const cfg = {
    data, strategy,
    timeframe: cli.timeframe ?? file.timeframe,
    calendar: cli.calendar ?? file.calendar ?? 'crypto',
    periodsPerYear: file.periodsPerYear,
    csv: { ...(file.csv ?? {}), ...(cli.csv ?? {}) },
    backtest: file.backtest ?? {},
  };
  const load = await readOhlcvCsv(data, { ...cfg.csv, timeframe: cfg.timeframe });
  const base: OptimizeOptions = {
    strategy,
    space: { ranges: args.ranges, fixed: { ...(file.params ?? {}), ...args.params }, constraints: args.constraints },
    search: args.search === 'grid' ? 'grid' : { random: args.samples, seed: args.seed },
    objective: args.objective as Objective,
    top: args.top,
    engine: args.engine,
    batchSize: args.batch,
    backtest: { ...cfg.backtest, timeframe: load.timeframe.text },
    metrics: { calendar: cfg.calendar, periodsPerYear: cfg.periodsPerYear },
  };
  return { cfg, load, base };
}

function makeRunner(args: OptimizeArgs): SweepRunner {
  return args.redis ? new RedisRunner({ url: args.redis, queue: args.queue }) : new ThreadRunner({ workers: args.workers });
}

function progressOf(args: OptimizeArgs, io: CliIo): ProgressBar {
  const sink = io.progress;
  // A bar on a terminal; on a pipe, plain lines only when asked for (quiet by default, so logs stay clean).
  const mode = !sink || args.progress === 'never' ? 'off' : sink.tty ? 'bar' : args.progress === 'always' ? 'lines' : 'off';
  return new ProgressBar({ write: (t) => sink?.write(t), mode });
}

const paramText = (p: Record<string, unknown>) => Object.entries(p).map(([k, v]) => `${k}=${String(v)}`).join(' ');

function rankedJson(t: RankedResult) {
  return { rank: t.rank, index: t.index, params: t.params, score: t.score, metrics: t.metrics };
}

function topTable(top: RankedResult[], objective: string): string {
  const lines = top.map((t) => `${String(t.rank).padStart(3)}  ${num(t.score, 4).padStart(10)}  cagr ${pct(t.metrics.cagr).padStart(10)}  dd ${pct(t.metrics.maxDrawdown).padStart(9)}  trades ${String(t.metrics.tradeCount).padStart(5)}  ${paramText(t.params)}`);
  return [`  #  ${objective.padStart(10)}`, ...lines].join('\n');
}

async function runOptimize(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseOptimizeArgs(argv);
  const { cfg, load, base } = await setup(args);
  const runner = makeRunner(args);
  const bar = progressOf(args, io);
  let result;
  try {
    result = await optimize(load.series, { ...base, runner, signal: io.signal, onProgress: (p) => bar.update(p.done, p.total, p.elapsedMs, p.best) });
  } finally {
    bar.end();
    await runner.close();
  }
  if (result.aborted) {
    const best = result.top[0];
    io.err(`interrupted after ${result.evaluated} of ${result.candidates.length} candidates; best so far: ${best ? `${paramText(best.params)} (${result.objective} ${num(best.score, 4)})` : 'none'}`);
  }
  if (args.report) {
    await writeFile(args.report, renderOptimizeReport(result, `Optimization of ${result.strategy} on ${cfg.data.split(/[\\/]/).pop()}`, `${load.series.length} ${load.timeframe.text} bars`));
  }
  if (args.json) {
    io.out(JSON.stringify({
      command: 'optimize', strategy: result.strategy, data: cfg.data, bars: result.bars, timeframe: load.timeframe.text,
      objective: result.objective, search: result.search, candidates: result.candidates.length, evaluated: result.evaluated,
      failed: result.failed, errors: result.errors, aborted: result.aborted, elapsedMs: Math.round(result.elapsedMs),
      workers: runner.workers, mode: args.redis ? 'redis' : 'threads', top: result.top.map(rankedJson), report: args.report ?? null,
    }));
  } else {
    io.out(`${result.strategy} · ${result.evaluated}/${result.candidates.length} candidates · ${(result.elapsedMs / 1000).toFixed(1)} s`);
    io.out(topTable(result.top, result.objective));
    if (args.report) io.out(`report written to ${args.report}`);
  }
  return result.aborted ? EXIT_INTERRUPTED : 0;
}

async function runWalkForward(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseOptimizeArgs(argv);
  if (!args.inSample || !args.outOfSample) throw new ConfigError(`walkforward needs --in-sample BARS and --out-of-sample BARS\n${OPTIMIZE_USAGE}`);
  const { cfg, load, base } = await setup(args);
  const runner = makeRunner(args);
  const bar = progressOf(args, io);
  let r;
  try {
    r = await walkForward(load.series, {
      ...base, runner, signal: io.signal, inSample: args.inSample, outOfSample: args.outOfSample, step: args.step, anchored: args.anchored,
      onProgress: (p) => bar.update(p.done, p.total, p.elapsedMs, p.best),
    });
  } finally {
    bar.end();
    await runner.close();
  }
  if (r.aborted) io.err(`interrupted after ${r.windows.length} complete windows`);
  if (args.report) {
    await writeFile(args.report, renderWalkForwardReport(r, load.series.time, `Walk-forward of ${r.strategy} on ${cfg.data.split(/[\\/]/).pop()}`, `${load.series.length} ${load.timeframe.text} bars`));
  }
  if (args.json) {
    io.out(JSON.stringify({
      command: 'walkforward', strategy: r.strategy, data: cfg.data, objective: r.objective, mode: r.mode, aborted: r.aborted,
      efficiency: r.efficiency, meanDegradation: r.meanDegradation, stitched: r.stitched,
      stability: r.stability.map((s) => ({ name: s.name, values: s.values, spread: s.spread })),
      windows: r.windows.map((w) => ({
        index: w.index, isStart: w.isStart, isEnd: w.isEnd, oosStart: w.oosStart, oosEnd: w.oosEnd, params: w.best.params,
        isScore: w.isScore, oosScore: w.oosScore, degradation: w.degradation, efficiency: w.efficiency, isMetrics: w.best.metrics, oosMetrics: w.oos,
      })),
      report: args.report ?? null,
    }));
  } else {
    for (const w of r.windows) io.out(`window ${w.index + 1}: ${paramText(w.best.params)}  in-sample ${num(w.isScore, 3)}  out-of-sample ${num(w.oosScore, 3)}  degradation ${pct(w.degradation)}`);
    io.out(`walk-forward efficiency ${num(r.efficiency, 3)} · stitched out-of-sample return ${pct(r.stitched.totalReturn)}, max drawdown ${pct(r.stitched.maxDrawdown)}`);
    if (args.report) io.out(`report written to ${args.report}`);
  }
  return r.aborted ? EXIT_INTERRUPTED : 0;
}

async function runWorker(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseOptimizeArgs(argv);
  if (!args.redis) throw new ConfigError(`worker needs --redis URL\n${OPTIMIZE_USAGE}`);
  const w = await startRedisWorker({ url: args.redis, queue: args.queue, threads: args.threads, lockMs: args.lockMs, log: (l) => io.err(l) });
  io.err(`worker ready: ${w.runner.workers} threads, queue ${args.queue ?? 'xev-quant-optimize'} on ${args.redis}`);
  await new Promise<void>((resolve) => {
    if (!io.signal) return; // no way to be stopped: serve until the process is killed
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  io.err('worker stopping: finishing the current job');
  await w.close();
  return 0;
}

/** Dispatches an optimizer command; returns undefined for any other command. */
export function optimizerCommand(cmd: string, argv: readonly string[], io: CliIo): Promise<number> | undefined {
  if (cmd === 'optimize') return runOptimize(argv, io);
  if (cmd === 'walkforward') return runWalkForward(argv, io);
  if (cmd === 'worker') return runWorker(argv, io);
  return undefined;
}
