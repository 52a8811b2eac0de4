import { Window, assertPeriod, type HlcArrays, type HlcBar } from './window.js';

/**
 * Commodity Channel Index (Lambert 1980), streaming: typical price TP = (H + L + C)/3;
 * CCI = (TP − SMA(TP)) / (0.015 · mean absolute deviation of TP about that SMA), both over `period`
 * bars. Warm-up: `period − 1` NaN bars (Tulip waits `2·(period − 1)`; the values agree where both exist).
 * 0 when the mean deviation is zero.
 */
export class Cci {
  private readonly w: Window;
  /** Latest output. */
  value = NaN;

  /** @param period - window length (20 classically). */
  constructor(readonly period: number) {
    assertPeriod(period, 'CCI');
    this.w = new Window(period);
  }

  /** Feeds one bar. */
  update(bar: HlcBar): number {
    const tp = (bar.high + bar.low + bar.close) / 3;
    this.w.push(tp);
    if (!this.w.full) return NaN;
    const mean = this.w.mean();
    const md = this.w.meanAbsDeviation(mean);
    this.value = md === 0 ? 0 : (tp - mean) / (0.015 * md);
    return this.value;
  }
}

/** CCI over arrays. */
export function cci(bars: HlcArrays, period: number): Float64Array {
  const n = bars.close.length;
  const out = new Float64Array(n);
  const ind = new Cci(period);
  for (let i = 0; i < n; i++) out[i] = ind.update({ high: bars.high[i], low: bars.low[i], close: bars.close[i] });
  return out;
}
