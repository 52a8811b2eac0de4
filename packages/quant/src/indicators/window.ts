/**
 * Fixed-capacity ring of the most recent values with a running sum; the building block of every
 * rolling indicator. Extremes are found by scanning because indicator periods are small (≤ a few
 * hundred), where a scan beats a monotonic deque's bookkeeping.
 */
export class Window {
  private readonly buf: Float64Array;
  private head = 0;
  private count = 0;
  /** Sum of the values currently in the window. */
  sum = 0;

  /** @param capacity - the window length, a positive integer. */
  constructor(readonly capacity: number) {
    assertPeriod(capacity, 'window');
    this.buf = new Float64Array(capacity);
  }

  /** True once `capacity` values have been pushed. */
  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Number of values held. */
  get size(): number {
    return this.count;
  }

  /** Appends `x`, evicting the oldest value once full. */
  push(x: number): void {
    if (this.count === this.capacity) this.sum -= this.buf[this.head];
    else this.count++;
    this.buf[this.head] = x;
    this.sum += x;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
  }

  /** The value `k` steps back: `ago(0)` is the newest. */
  ago(k: number): number {
    if (k >= this.count) return NaN;
    let idx = this.head - 1 - k;
    if (idx < 0) idx += this.capacity;
    return this.buf[idx];
  }

  /** Largest value held. */
  max(): number {
    let m = -Infinity;
    for (let k = 0; k < this.count; k++) m = Math.max(m, this.buf[k]);
    return m;
  }

  /** Smallest value held. */
  min(): number {
    let m = Infinity;
    for (let k = 0; k < this.count; k++) m = Math.min(m, this.buf[k]);
    return m;
  }

  /** Population mean of the values held (sum recomputed to avoid drift from the running sum). */
  mean(): number {
    let s = 0;
    for (let k = 0; k < this.count; k++) s += this.buf[k];
    return s / this.count;
  }

  /** Mean of |x − center| over the window. */
  meanAbsDeviation(center: number): number {
    let s = 0;
    for (let k = 0; k < this.count; k++) s += Math.abs(this.buf[k] - center);
    return s / this.count;
  }

  /** Population standard deviation about `center` (divides by n, not n − 1). */
  populationStdDev(center: number): number {
    let s = 0;
    for (let k = 0; k < this.count; k++) {
      const d = this.buf[k] - center;
      s += d * d;
    }
    return Math.sqrt(s / this.count);
  }
}

/** Throws a RangeError unless `period` is a positive integer. */
export function assertPeriod(period: number, name: string): void {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`${name} period must be a positive integer, got ${period}`);
}

/** High/low/close input of bar-based indicators; an {@link OhlcvSeries} satisfies it. */
export interface HlcArrays {
  /** High price(s). */
  high: ArrayLike<number>;
  /** Low price(s). */
  low: ArrayLike<number>;
  /** Close price(s). */
  close: ArrayLike<number>;
}

/** High/low/close/volume input; an {@link OhlcvSeries} satisfies it. */
export interface HlcvArrays extends HlcArrays {
  /** Volume(s). */
  volume: ArrayLike<number>;
}

/** One bar as streaming indicators consume it. */
export interface HlcBar {
  /** High price(s). */
  high: number;
  /** Low price(s). */
  low: number;
  /** Close price(s). */
  close: number;
}

/** One bar with volume (and time, for session-anchored VWAP). */
export interface HlcvBar extends HlcBar {
  /** Volume(s). */
  volume: number;
  /** Bar open time, epoch ms (session VWAP). */
  time?: number;
}

/** Runs a single-input streaming indicator over an array: the batch form is defined as this, so both agree bit for bit. */
export function runSeries(values: ArrayLike<number>, ind: { update(x: number): number }): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = ind.update(values[i]);
  return out;
}

/** Allocates `k` NaN-filled outputs of length `n`. */
export function nanArrays(n: number, k: number): Float64Array[] {
  return Array.from({ length: k }, () => new Float64Array(n).fill(NaN));
}
