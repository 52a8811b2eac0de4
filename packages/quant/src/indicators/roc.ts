import { Window, assertPeriod, runSeries } from './window.js';

/**
 * Rate of change in percent, streaming: 100·(x − x[period bars ago]) / x[period bars ago].
 * (Tulip's `roc` is the same ratio without the factor 100.) Warm-up: `period` NaN bars.
 */
export class Roc {
  private readonly w: Window;
  /** Latest output. */
  value = NaN;

  /** @param period - look-back in bars. */
  constructor(readonly period: number) {
    assertPeriod(period, 'ROC');
    this.w = new Window(period + 1);
  }

  /** Feeds one value. */
  update(x: number): number {
    this.w.push(x);
    if (!this.w.full) return NaN;
    const past = this.w.ago(this.period);
    this.value = (100 * (x - past)) / past;
    return this.value;
  }
}

/** ROC (percent) over an array. */
export function roc(values: ArrayLike<number>, period: number): Float64Array {
  return runSeries(values, new Roc(period));
}
