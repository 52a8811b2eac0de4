import { assertPeriod, runSeries } from './window.js';

/**
 * Relative Strength Index with Wilder smoothing (Wilder 1978), streaming. The first average gain and
 * loss are the plain means of the first `period` changes; afterwards avg = (avg·(period−1) + x) / period.
 * Warm-up: `period` NaN outputs (the first bar has no change). When there are no losses RSI is 100;
 * with no movement at all it is 50.
 */
export class Rsi {
  private n = 0;
  private prev = NaN;
  private gain = 0;
  private loss = 0;
  /** Latest output. */
  value = NaN;

  /** @param period - smoothing period ≥ 1. */
  constructor(readonly period: number) {
    assertPeriod(period, 'RSI');
  }

  /** Feeds one close. */
  update(x: number): number {
    const i = this.n++;
    const prev = this.prev;
    this.prev = x;
    if (i === 0) return NaN;
    const ch = x - prev;
    const up = ch > 0 ? ch : 0;
    const down = ch < 0 ? -ch : 0;
    const p = this.period;
    if (i < p) {
      this.gain += up;
      this.loss += down;
      return NaN;
    }
    if (i === p) {
      this.gain = (this.gain + up) / p;
      this.loss = (this.loss + down) / p;
    } else {
      this.gain = (this.gain * (p - 1) + up) / p;
      this.loss = (this.loss * (p - 1) + down) / p;
    }
    const total = this.gain + this.loss;
    this.value = total === 0 ? 50 : (100 * this.gain) / total;
    return this.value;
  }
}

/** RSI over an array of closes. */
export function rsi(values: ArrayLike<number>, period: number): Float64Array {
  return runSeries(values, new Rsi(period));
}
