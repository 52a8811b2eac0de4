import { assertPeriod } from './window.js';

/**
 * How an EMA starts. `sma` (default, TA-Lib and StockCharts): NaN for `period − 1` bars, then the SMA
 * of the first `period` values, then α-smoothing. `first` (Tulip Indicators): the first input is the
 * first output, with no warm-up.
 */
export type EmaSeed = 'sma' | 'first';

/** Exponential moving average, streaming, α = 2 / (period + 1). See {@link EmaSeed} for the warm-up. */
export class Ema {
  private readonly alpha: number;
  private n = 0;
  private acc = 0;
  /** Latest output (NaN during warm-up). */
  value = NaN;

  /**
   * @param period - smoothing period ≥ 1.
   * @param seed - warm-up convention, `sma` by default.
   */
  constructor(readonly period: number, readonly seed: EmaSeed = 'sma') {
    assertPeriod(period, 'EMA');
    this.alpha = 2 / (period + 1);
  }

  /** Feeds one value. */
  update(x: number): number {
    this.n++;
    if (this.seed === 'first') {
      this.value = this.n === 1 ? x : this.value + this.alpha * (x - this.value);
      return this.value;
    }
    if (this.n < this.period) {
      this.acc += x;
      return NaN;
    }
    if (this.n === this.period) {
      this.value = (this.acc + x) / this.period;
      return this.value;
    }
    this.value = this.value + this.alpha * (x - this.value);
    return this.value;
  }
}

/**
 * EMA over an array: a plain loop doing the streaming form's arithmetic in the same order, so the two
 * agree bit for bit (tested).
 */
export function ema(values: ArrayLike<number>, period: number, seed: EmaSeed = 'sma'): Float64Array {
  assertPeriod(period, 'EMA');
  const n = values.length;
  const out = new Float64Array(n);
  const alpha = 2 / (period + 1);
  let value = NaN;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (seed === 'first') value = i === 0 ? x : value + alpha * (x - value);
    else if (i < period - 1) {
      acc += x;
      out[i] = NaN;
      continue;
    } else value = i === period - 1 ? (acc + x) / period : value + alpha * (x - value);
    out[i] = value;
  }
  return out;
}
