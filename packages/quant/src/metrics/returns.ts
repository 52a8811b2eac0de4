/**
 * Equity-curve statistics. All take the equity marked at each bar's close plus the starting equity,
 * so the first bar's return is measured from the initial cash.
 */

/**
 * Per-bar simple returns rᵢ = Eᵢ / Eᵢ₋₁ − 1, with E₋₁ = the initial equity. Written into `into` (at
 * least as long; the result is a view of it) when given — the optimizer computes metrics thousands of
 * times per second, and allocating a fresh array per run cost more than the arithmetic.
 */
export function barReturns(equity: ArrayLike<number>, initial: number, into?: Float64Array): Float64Array {
  const r = into ? into.subarray(0, equity.length) : new Float64Array(equity.length);
  let prev = initial;
  for (let i = 0; i < equity.length; i++) {
    r[i] = equity[i] / prev - 1;
    prev = equity[i];
  }
  return r;
}

/** Arithmetic mean (NaN for no values). */
export function mean(x: ArrayLike<number>): number {
  if (x.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Sample standard deviation (divides by n − 1; NaN below two values). */
export function sampleStdDev(x: ArrayLike<number>): number {
  if (x.length < 2) return NaN;
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 2;
  return Math.sqrt(s / (x.length - 1));
}

/** Downside deviation about `target`: √(Σ min(0, rᵢ − target)² / n). */
export function downsideDeviation(x: ArrayLike<number>, target = 0): number {
  if (x.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.min(0, x[i] - target);
    s += d * d;
  }
  return Math.sqrt(s / x.length);
}

/** Drawdown statistics of an equity curve. */
export interface DrawdownStats {
  /** Largest peak-to-trough loss as a fraction of the peak (0.25 = −25 %). */
  maxDrawdown: number;
  /** Longest time under water, in bars: from a peak to the bar that regains it (or the last bar). */
  maxDrawdownBars: number;
  /** The drawdown series, 1 − Eᵢ / max(E₀…Eᵢ), one value per bar. */
  series: Float64Array;
}

/**
 * Peak-to-trough drawdown; the initial equity counts as the first peak. `withSeries: false` skips the
 * per-bar series (left empty), for callers that need only the two statistics.
 */
export function drawdowns(equity: ArrayLike<number>, initial: number, withSeries = true): DrawdownStats {
  const series = new Float64Array(withSeries ? equity.length : 0);
  let peak = initial;
  let peakAt = -1;
  let maxDd = 0;
  let maxBars = 0;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i];
    if (e >= peak) {
      peak = e;
      peakAt = i;
    }
    const dd = 1 - e / peak;
    if (withSeries) series[i] = dd;
    if (dd > maxDd) maxDd = dd;
    if (i - peakAt > maxBars) maxBars = i - peakAt;
  }
  return { maxDrawdown: maxDd, maxDrawdownBars: maxBars, series };
}
