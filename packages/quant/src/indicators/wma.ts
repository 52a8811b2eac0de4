import { Window, assertPeriod, runSeries } from './window.js';

/**
 * Linearly weighted moving average: the newest value has weight `period`, the oldest weight 1,
 * divided by period·(period+1)/2. Warm-up: `period − 1` NaN outputs. Computed by direct summation
 * each bar so there is no drift.
 */
export class Wma {
  private readonly w: Window;
  private readonly denom: number;
  /** Latest output. */
  value = NaN;

  /** @param period - window length ≥ 1. */
  constructor(readonly period: number) {
    assertPeriod(period, 'WMA');
    this.w = new Window(period);
    this.denom = (period * (period + 1)) / 2;
  }

  /** Feeds one value. */
  update(x: number): number {
    this.w.push(x);
    if (!this.w.full) return NaN;
    let s = 0;
    for (let k = 0; k < this.period; k++) s += this.w.ago(k) * (this.period - k);
    this.value = s / this.denom;
    return this.value;
  }
}

/** WMA over an array. */
export function wma(values: ArrayLike<number>, period: number): Float64Array {
  return runSeries(values, new Wma(period));
}
