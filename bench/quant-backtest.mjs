#!/usr/bin/env node
// Benchmarks @xev/quant's backtesters (build the package first: `cd packages/quant && npx tsup`).
//
//   node bench/quant-backtest.mjs [--json] [--scale X] [--bars N]
//
// --scale multiplies the 10,000,000-bar workload (the harness passes it, e.g. 0.01 for a smoke run);
// --bars sets the bar count directly.
//
// backtest-dual-ma                  event-driven engine, built-in dual-ma-cross 10/30, 10 bp taker fee
// backtest-vectorized               the vectorized fast path on precomputed target positions
// backtest-vectorized-reused-buffers  the same, writing into output buffers reused across runs
// backtest-vectorized-with-signals  fresh buffers, timing the SMA and cross-signal computation too
// backtest-dual-ma-50-200           event-driven engine, dual-ma-cross 50/200 (ten times fewer trades)
// backtest-vectorized-50-200        vectorized path on the 50/200 targets (and -reused-buffers)
// csv-ingest-synthetic              streaming CSV ingest of a generated 1,000,000-row file (× scale)
// csv-ingest-btcusdt-1h             streaming CSV ingest of ../shared/data/BTCUSDT_1h_2024.csv (only if present)
// backtest-dual-ma-btcusdt-1h       event-driven engine on that file (only if present)
//
// Every figure is single-threaded, best of 3 runs after a warm-up run (full GC before each), and checked: the vectorized
// and event-driven runs must produce the same trades, or the script exits 1 without printing figures.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { benchArgs, check } from './harness/common.mjs';

// A full GC before each timed run, so one run is not billed for collecting the previous run's
// 10M-bar arrays and fill objects (measured: without it, mark-compacts triggered by the previous
// runs' garbage cost up to ~200 ms each inside later timings). GC caused by the run itself still counts.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc');

const here = dirname(fileURLToPath(import.meta.url));
const q = await import(join(here, '..', 'packages', 'quant', 'dist', 'index.js'));

const argv = process.argv.slice(2);
const args = benchArgs(argv);
const json = args.json;
const barsArg = argv.indexOf('--bars');
const N = barsArg >= 0 ? Number(argv[barsArg + 1]) : Math.max(10_000, Math.round(10_000_000 * args.scale));
const log = (...a) => { if (!json) console.log(...a); };
const results = [];

// Deterministic random walk (mulberry32) so every run measures the same bars.
function generate(n, seed = 42) {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const s = q.OhlcvSeries.allocate(n);
  const { time, open, high, low, close, volume } = s;
  let p = 100;
  const t0 = Date.UTC(2020, 0, 1);
  for (let i = 0; i < n; i++) {
    const o = p;
    const c = o * (1 + (rnd() - 0.5) * 0.004);
    time[i] = t0 + i * 60_000;
    open[i] = o;
    close[i] = c;
    high[i] = Math.max(o, c) * (1 + rnd() * 0.001);
    low[i] = Math.min(o, c) * (1 - rnd() * 0.001);
    volume[i] = 1 + rnd() * 10;
    p = c;
  }
  return s;
}

function best(runs, fn) {
  fn(); // warm-up: let the JIT settle before timing
  let bestMs = Infinity;
  let out;
  for (let k = 0; k < runs; k++) {
    out = undefined;
    collect();
    const t = performance.now();
    out = fn();
    bestMs = Math.min(bestMs, performance.now() - t);
  }
  return { ms: bestMs, out };
}

function report(name, unit, value, extra = '') {
  // No `node` column: Node has no built-in backtester to compare against.
  results.push({ name, unit, xev: Math.round(value), node: null, ratio: null });
  log(`${name.padEnd(36)} ${Math.round(value).toLocaleString('en-US').padStart(15)} ${unit}${extra}`);
}

let t = performance.now();
const series = generate(N);
log(`generated ${N.toLocaleString('en-US')} synthetic 1m bars in ${(performance.now() - t).toFixed(0)} ms`);

const params = { fast: 10, slow: 30 };
const options = { fees: { taker: 0.001 } };
const ev = best(3, () => q.runBacktest(series, q.dualMaCross, params, options));
const trades = ev.out.trades.length;
check(trades > N / 100, `only ${trades} trades on ${N} bars`);
report('backtest-dual-ma', 'bars/s', N / (ev.ms / 1000), `  (${ev.ms.toFixed(0)} ms, ${trades} trades)`);

t = performance.now();
const target = q.crossTargets(q.sma(series.close, params.fast), q.sma(series.close, params.slow));
const signalMs = performance.now() - t;
const vec = best(3, () => q.runVectorized(series, target, options));
check(vec.out.trades.length === trades && vec.out.final.equity === ev.out.final.equity,
  `vectorized ${vec.out.trades.length} trades / equity ${vec.out.final.equity}, event-driven ${trades} / ${ev.out.final.equity}`);
report('backtest-vectorized', 'bars/s', N / (vec.ms / 1000), `  (${vec.ms.toFixed(0)} ms, same ${trades} trades)`);
// Steady state of an optimizer: the same output buffers reused run after run, so the figure is not
// dominated by page-faulting in a fresh 90 MB of equity curve per run.
const buffers = { equity: new Float64Array(N), inMarket: new Uint8Array(N) };
const reuse = best(3, () => q.runVectorized(series, target, { ...options, buffers }));
check(reuse.out.trades.length === trades && reuse.out.final.equity === ev.out.final.equity, 'vectorized run with reused buffers differs');
report('backtest-vectorized-reused-buffers', 'bars/s', N / (reuse.ms / 1000), `  (${reuse.ms.toFixed(0)} ms)`);
const sig = best(3, () => q.crossTargets(q.sma(series.close, params.fast), q.sma(series.close, params.slow)));
report('backtest-vectorized-with-signals', 'bars/s', N / ((vec.ms + sig.ms) / 1000), `  (signals ${sig.ms.toFixed(0)} ms, first pass ${signalMs.toFixed(0)} ms)`);

// The same pair at 50/200: fewer crosses (a trade every ~500 bars instead of ~50), so the figures show
// the per-bar cost rather than the per-fill cost.
{
  const slow = { fast: 50, slow: 200 };
  const ev2 = best(3, () => q.runBacktest(series, q.dualMaCross, slow, options));
  const t2 = q.crossTargets(q.sma(series.close, slow.fast), q.sma(series.close, slow.slow));
  const vec2 = best(3, () => q.runVectorized(series, t2, options));
  check(vec2.out.trades.length === ev2.out.trades.length && vec2.out.final.equity === ev2.out.final.equity, '50/200 vectorized and event-driven runs differ');
  report('backtest-dual-ma-50-200', 'bars/s', N / (ev2.ms / 1000), `  (${ev2.ms.toFixed(0)} ms, ${ev2.out.trades.length} trades)`);
  report('backtest-vectorized-50-200', 'bars/s', N / (vec2.ms / 1000), `  (${vec2.ms.toFixed(0)} ms, same ${vec2.out.trades.length} trades)`);
  const reuse2 = best(3, () => q.runVectorized(series, t2, { ...options, buffers }));
  check(reuse2.out.final.equity === ev2.out.final.equity, '50/200 reused-buffer run differs');
  report('backtest-vectorized-50-200-reused-buffers', 'bars/s', N / (reuse2.ms / 1000), `  (${reuse2.ms.toFixed(0)} ms)`);
}

// CSV ingest at scale: a generated file in the Binance-export number format, read back by chunks.
{
  const rows = Math.max(10_000, Math.round(1_000_000 * args.scale));
  const dir = mkdtempSync(join(tmpdir(), 'xev-quant-bench-'));
  const file = join(dir, 'bars.csv');
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < rows; i++) {
    const c = series.close[i % N];
    lines.push(`${1704067200000 + i * 60_000},${series.open[i % N].toFixed(8)},${series.high[i % N].toFixed(8)},${series.low[i % N].toFixed(8)},${c.toFixed(8)},${series.volume[i % N].toFixed(5)}`);
  }
  writeFileSync(file, lines.join('\n'));
  try {
    let bestMs = Infinity;
    let load;
    await q.readOhlcvCsv(file); // warm-up
    for (let k = 0; k < 3; k++) {
      collect();
      const t0 = performance.now();
      load = await q.readOhlcvCsv(file);
      bestMs = Math.min(bestMs, performance.now() - t0);
    }
    check(load.series.length === rows && load.gaps.length === 0 && load.timeframe.text === '1m', `synthetic ingest read ${load.series.length} of ${rows} rows`);
    report('csv-ingest-synthetic', 'bars/s', rows / (bestMs / 1000), `  (${bestMs.toFixed(0)} ms for ${rows.toLocaleString('en-US')} rows)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const btc = resolve(here, '..', '..', 'shared', 'data', 'BTCUSDT_1h_2024.csv');
if (existsSync(btc)) {
  const reads = 20;
  t = performance.now();
  let load;
  for (let k = 0; k < reads; k++) load = await q.readOhlcvCsv(btc);
  const ms = (performance.now() - t) / reads;
  const n = load.series.length;
  check(n === 8784 && load.timeframe.text === '1h' && load.gaps.length === 0, `read ${n} bars, ${load.gaps.length} gaps`);
  report('csv-ingest-btcusdt-1h', 'bars/s', n / (ms / 1000), `  (${ms.toFixed(1)} ms per read of ${n} bars, mean of ${reads})`);
  const bt = best(5, () => q.runBacktest(load.series, q.dualMaCross, params, options));
  report('backtest-dual-ma-btcusdt-1h', 'bars/s', n / (bt.ms / 1000), `  (${bt.ms.toFixed(2)} ms, ${bt.out.trades.length} trades)`);
} else {
  log(`skipped BTCUSDT benchmarks: ${btc} not present`);
}

if (json) for (const r of results) console.log(JSON.stringify(r));
