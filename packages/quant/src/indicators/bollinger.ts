import { Window, assertPeriod, nanArrays } from './window.js';

/** One Bollinger output. */
export interface BollingerValue {
  /** middle − k·σ. */
  lower: number;
  /** SMA of the window. */
  middle: number;
  /** middle + k·σ. */
  upper: number;
}

/**
 * Bollinger Bands, streaming: middle = SMA(period), bands = middle ± k·σ where σ is the *population*
 * standard deviation of the window (divide by n), as Bollinger specifies and Tulip/TA-Lib compute.
 * Warm-up: `period − 1` NaN bars. Mean and σ are recomputed from the window each bar, so no drift.
 */
export class BollingerBands {
  private readonly w: Window;
  /** Latest output. */
  value: BollingerValue = { lower: NaN, middle: NaN, upper: NaN };

  /**
   * @param period - window length (20 classically).
   * @param k - band width in standard deviations (2 classically).
   */
  constructor(readonly period: number, readonly k: number) {
    assertPeriod(period, 'Bollinger');
    this.w = new Window(period);
  }

  /** Feeds one close. */
  update(x: number): BollingerValue {
    this.w.push(x);
    if (!this.w.full) return this.value;
    const mid = this.w.mean();
    const sd = this.w.populationStdDev(mid);
    this.value = { lower: mid - this.k * sd, middle: mid, upper: mid + this.k * sd };
    return this.value;
  }
}

/** Bollinger Bands over an array. */
export function bollinger(values: ArrayLike<number>, period: number, k: number): {
  /** middle − k·σ. */
  lower: Float64Array;
  /** SMA of the window. */
  middle: Float64Array;
  /** middle + k·σ. */
  upper: Float64Array;
} {
  const [lo, mid, up] = nanArrays(values.length, 3);
  const ind = new BollingerBands(period, k);
  for (let i = 0; i < values.length; i++) {
    const v = ind.update(values[i]);
    lo[i] = v.lower;
    mid[i] = v.middle;
    up[i] = v.upper;
  }
  return { lower: lo, middle: mid, upper: up };
}
