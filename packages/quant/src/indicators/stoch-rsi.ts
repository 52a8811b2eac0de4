import { Rsi } from './rsi.js';
import { Window, assertPeriod, runSeries } from './window.js';

/**
 * Stochastic RSI (Chande & Kroll 1994), streaming: (RSI − min RSI)/(max RSI − min RSI) over the last
 * `stochPeriod` RSI values, on a 0–1 scale (multiply by 100 for the 0–100 charting convention); 0.5
 * when the RSI range is flat. Warm-up: `rsiPeriod + stochPeriod − 1` NaN bars, matching Tulip's `stochrsi`.
 */
export class StochRsi {
  private readonly rsi: Rsi;
  private readonly w: Window;
  /** Latest output. */
  value = NaN;

  /**
   * @param rsiPeriod - RSI period (14 classically).
   * @param stochPeriod - look-back over RSI values; defaults to `rsiPeriod`.
   */
  constructor(readonly rsiPeriod: number, readonly stochPeriod: number = rsiPeriod) {
    assertPeriod(stochPeriod, 'StochRSI');
    this.rsi = new Rsi(rsiPeriod);
    this.w = new Window(stochPeriod);
  }

  /** Feeds one close. */
  update(x: number): number {
    const r = this.rsi.update(x);
    if (Number.isNaN(r)) return NaN;
    this.w.push(r);
    if (!this.w.full) return NaN;
    const lo = this.w.min();
    const hi = this.w.max();
    this.value = hi === lo ? 0.5 : (r - lo) / (hi - lo);
    return this.value;
  }
}

/** StochRSI over an array of closes. */
export function stochRsi(values: ArrayLike<number>, rsiPeriod: number, stochPeriod: number = rsiPeriod): Float64Array {
  return runSeries(values, new StochRsi(rsiPeriod, stochPeriod));
}
