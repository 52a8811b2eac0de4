/**
 * Walk-forward analysis: optimize on an in-sample window, trade the winner on the out-of-sample window
 * that follows, move forward and repeat. Rolling windows keep the in-sample length; anchored windows
 * all start at the first bar and grow. Each out-of-sample segment is backtested on its own bars (its
 * indicators warm up inside it, as they would have live), and the segments' equity is stitched into
 * one curve by compounding. Formulas are in docs/optimizer.md.
 */
import { runBacktest } from '../backtest/engine.js';
import type { OhlcvSeries } from '../data/ohlcv.js';
import { computeMetrics, type Metrics } from '../metrics/compute.js';
import { barReturns, drawdowns, mean, sampleStdDev } from '../metrics/returns.js';
import { loadStrategy } from './evaluate.js';
import { compileObjective, type RankedResult } from './objective.js';
import { evalSpecOf, optimize, type OptimizeOptions } from './optimize.js';
import type { Axis } from './param-space.js';
import { ThreadRunner } from './thread-runner.js';

/** Walk-forward options: the optimizer's, plus the window layout in bars. */
export interface WalkForwardOptions extends Omit<OptimizeOptions, 'range' | 'onProgress'> {
  /** In-sample bars (for anchored windows: the first window's). */
  inSample: number;
  /** Out-of-sample bars per window. */
  outOfSample: number;
  /** Bars between window starts (default `outOfSample`, so the out-of-sample segments tile). */
  step?: number;
  /** Anchored (growing) in-sample windows instead of rolling ones. */
  anchored?: boolean;
  /** Called after every batch of every window. */
  onProgress?: (p: { window: number; windows: number; done: number; total: number; elapsedMs: number; best: number }) => void;
}

/** One window's layout, in bar indices (`end` exclusive). */
export interface WindowLayout {
  /** First in-sample bar. */
  isStart: number;
  /** End of the in-sample range (exclusive). */
  isEnd: number;
  /** First out-of-sample bar (= `isEnd`). */
  oosStart: number;
  /** End of the out-of-sample range (exclusive). */
  oosEnd: number;
}

/** One window's outcome. */
export interface WindowResult extends WindowLayout {
  /** Window number, from 0. */
  index: number;
  /** The in-sample winner (its metrics are in-sample). */
  best: RankedResult;
  /** The in-sample top list. */
  top: RankedResult[];
  /** Objective of the winner in-sample. */
  isScore: number;
  /** Objective of the winner out-of-sample. */
  oosScore: number;
  /** Out-of-sample metrics of the winner. */
  oos: Metrics;
  /** (isScore − oosScore) / |isScore|: the share of the in-sample objective lost out of sample. */
  degradation: number;
  /** Out-of-sample CAGR / in-sample CAGR of the winner. */
  efficiency: number;
}

/** Summary statistics of the stitched out-of-sample equity. */
export interface StitchedStats {
  /** Bars in the stitched curve. */
  bars: number;
  /** Final / initial − 1. */
  totalReturn: number;
  /** Annualized. */
  cagr: number;
  /** Annualized Sharpe of bar returns. */
  sharpe: number;
  /** Largest peak-to-trough loss. */
  maxDrawdown: number;
}

/** Per searched parameter: the value each window chose and how much it moved. */
export interface ParamStability {
  /** Parameter name. */
  name: string;
  /** Chosen value per window. */
  values: (number | boolean | string)[];
  /** Position of each choice in the searched values, 0 (first) … 1 (last). */
  positions: number[];
  /** Sample standard deviation of the positions (0 = the same value every window). */
  spread: number;
}

/** What {@link walkForward} returns. */
export interface WalkForwardResult {
  /** Strategy name. */
  strategy: string;
  /** Objective label. */
  objective: string;
  /** `rolling` or `anchored`. */
  mode: 'rolling' | 'anchored';
  /** The searched parameters. */
  axes: Axis[];
  /** Per-window outcomes. */
  windows: WindowResult[];
  /** Bar times of the stitched out-of-sample curve. */
  time: Float64Array;
  /** The stitched out-of-sample equity (compounded from the initial cash). */
  equity: Float64Array;
  /** Its statistics. */
  stitched: StitchedStats;
  /** Walk-forward efficiency: stitched out-of-sample CAGR / mean in-sample CAGR of the winners. */
  efficiency: number;
  /** Mean of the windows' finite degradations. */
  meanDegradation: number;
  /** Parameter stability across windows. */
  stability: ParamStability[];
  /** Whether it was stopped early (the completed windows are reported). */
  aborted: boolean;
}

/** The windows of a series of `n` bars. */
export function walkForwardWindows(n: number, o: Pick<WalkForwardOptions, 'inSample' | 'outOfSample' | 'step' | 'anchored'>, first = 0): WindowLayout[] {
  const step = o.step ?? o.outOfSample;
  if (!(o.inSample >= 2 && o.outOfSample >= 2 && step >= 1) || ![o.inSample, o.outOfSample, step].every(Number.isInteger)) {
    throw new RangeError(`walk-forward needs integer inSample ≥ 2, outOfSample ≥ 2, step ≥ 1 bars; got ${o.inSample}, ${o.outOfSample}, ${step}`);
  }
  const out: WindowLayout[] = [];
  for (let k = 0; ; k++) {
    const isEnd = first + o.inSample + k * step;
    const oosEnd = isEnd + o.outOfSample;
    if (oosEnd > n) break;
    out.push({ isStart: o.anchored ? first : isEnd - o.inSample, isEnd, oosStart: isEnd, oosEnd });
  }
  if (out.length === 0) throw new RangeError(`${n} bars hold no window of ${o.inSample} in-sample + ${o.outOfSample} out-of-sample bars`);
  return out;
}

/** Runs a walk-forward analysis (see the file comment). */
export async function walkForward(series: OhlcvSeries, o: WalkForwardOptions): Promise<WalkForwardResult> {
  const t0 = performance.now();
  const layout = walkForwardWindows(series.length, o);
  const strategy = await loadStrategy(o.strategy);
  const objective = compileObjective(o.objective);
  const spec = evalSpecOf(series, o);
  const runner = o.runner ?? new ThreadRunner();
  const windows: WindowResult[] = [];
  const curves: Float64Array[] = []; // each window's out-of-sample equity, for stitching
  let axes: Axis[] = [];
  let aborted = false;
  try {
    for (let w = 0; w < layout.length; w++) {
      const L = layout[w];
      const opt = await optimize(series, {
        ...o, runner, range: { start: L.isStart, end: L.isEnd }, backtest: spec.backtest, metrics: spec.metrics,
        onProgress: (p) => o.onProgress?.({ window: w, windows: layout.length, done: w * p.total + p.done, total: layout.length * p.total, elapsedMs: performance.now() - t0, best: p.best }),
      });
      axes = opt.axes;
      if (opt.aborted || opt.top.length === 0) {
        aborted = opt.aborted;
        break;
      }
      const best = opt.top[0];
      // The out-of-sample run uses the event-driven engine: one run per window, the reference semantics.
      const run = runBacktest(series.range(L.oosStart, L.oosEnd), strategy, best.params, spec.backtest);
      const oos = computeMetrics(run, spec.metrics);
      const oosScore = objective.score(oos);
      windows.push({
        ...L, index: w, best, top: opt.top, isScore: best.score, oosScore, oos,
        degradation: (best.score - oosScore) / Math.abs(best.score),
        efficiency: oos.cagr / best.metrics.cagr,
      });
      curves.push(run.equity.slice());
    }
  } finally {
    if (!o.runner) await runner.close();
  }
  const { time, equity } = stitch(series, windows, curves, spec.backtest.initialCash ?? 10_000);
  const ppy = windows[0]?.oos.periodsPerYear ?? NaN;
  const stitched = stitchedStats(equity, spec.backtest.initialCash ?? 10_000, ppy);
  return {
    strategy: strategy.name,
    objective: objective.label,
    mode: o.anchored ? 'anchored' : 'rolling',
    axes,
    windows,
    time,
    equity,
    stitched,
    efficiency: stitched.cagr / mean(windows.map((w) => w.best.metrics.cagr)),
    // Windows whose degradation is undefined (a winner that never traded out of sample) are left out.
    meanDegradation: mean(windows.map((w) => w.degradation).filter(Number.isFinite)),
    stability: stabilityOf(axes, windows),
    aborted,
  };
}

/** Compounds the windows' out-of-sample equity into one curve starting at the initial cash. */
function stitch(series: OhlcvSeries, windows: WindowResult[], curves: Float64Array[], initial: number): { time: Float64Array; equity: Float64Array } {
  const n = windows.reduce((s, w) => s + (w.oosEnd - w.oosStart), 0);
  const time = new Float64Array(n);
  const equity = new Float64Array(n);
  let capital = initial;
  let at = 0;
  windows.forEach((w, k) => {
    const scale = capital / initial;
    for (let i = 0; i < curves[k].length; i++) {
      time[at] = series.time[w.oosStart + i];
      equity[at++] = curves[k][i] * scale;
    }
    capital = equity[at - 1];
  });
  return { time, equity };
}

function stitchedStats(equity: Float64Array, initial: number, ppy: number): StitchedStats {
  const n = equity.length;
  const total = n ? equity[n - 1] / initial - 1 : NaN;
  const years = n / ppy;
  const r = barReturns(equity, initial);
  const sd = sampleStdDev(r);
  return {
    bars: n,
    totalReturn: total,
    cagr: years > 0 ? (1 + total) ** (1 / years) - 1 : NaN,
    sharpe: sd > 0 ? (mean(r) / sd) * Math.sqrt(ppy) : NaN,
    maxDrawdown: drawdowns(equity, initial, false).maxDrawdown,
  };
}

function stabilityOf(axes: Axis[], windows: WindowResult[]): ParamStability[] {
  return axes.map((a) => {
    const values = windows.map((w) => w.best.params[a.name]);
    const positions = values.map((v) => (a.values.length > 1 ? a.values.indexOf(v) / (a.values.length - 1) : 0));
    return { name: a.name, values, positions, spread: positions.length >= 2 ? sampleStdDev(positions) : 0 };
  });
}
