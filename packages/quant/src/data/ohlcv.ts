/**
 * Columnar OHLCV storage. Every field is a `Float64Array` view over one `SharedArrayBuffer`, so a
 * series can be handed to worker threads (the optimizer) without copying: post `series.buffer` and
 * rebuild the views with {@link OhlcvSeries.fromBuffer}.
 */

/** The six columns in their order inside the shared buffer. */
export const OHLCV_FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/** One of the six column names. */
export type OhlcvField = (typeof OHLCV_FIELDS)[number];

/** One bar as a plain object; `time` is the bar's open time in epoch milliseconds (UTC). */
export interface Bar {
  /** Bar open time, epoch milliseconds UTC. */
  time: number;
  /** Open price. */
  open: number;
  /** High price. */
  high: number;
  /** Low price. */
  low: number;
  /** Close price. */
  close: number;
  /** Volume in base units. */
  volume: number;
}

const FIELD_COUNT = OHLCV_FIELDS.length;

/**
 * An immutable-length OHLCV series. Column `k` occupies bytes `[k * length * 8, (k + 1) * length * 8)`
 * of {@link OhlcvSeries.buffer}; that layout is what {@link OhlcvSeries.fromBuffer} relies on.
 */
export class OhlcvSeries {
  /** The shared backing store of all six columns. */
  readonly buffer: SharedArrayBuffer;
  /** Number of bars. */
  readonly length: number;
  /** Bar open times, epoch milliseconds UTC. */
  readonly time: Float64Array;
  /** Open prices. */
  readonly open: Float64Array;
  /** High prices. */
  readonly high: Float64Array;
  /** Low prices. */
  readonly low: Float64Array;
  /** Close prices. */
  readonly close: Float64Array;
  /** Volumes (base units). */
  readonly volume: Float64Array;

  // Column stride and first bar inside the buffer: equal to `length` and 0 except for a range view.
  readonly #stride: number;
  readonly #start: number;

  private constructor(buffer: SharedArrayBuffer, length: number, stride = length, start = 0) {
    this.buffer = buffer;
    this.length = length;
    this.#stride = stride;
    this.#start = start;
    const col = (k: number) => new Float64Array(buffer, (k * stride + start) * 8, length);
    this.time = col(0);
    this.open = col(1);
    this.high = col(2);
    this.low = col(3);
    this.close = col(4);
    this.volume = col(5);
  }

  /** Allocates a zero-filled series of `length` bars. */
  static allocate(length: number): OhlcvSeries {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`invalid series length ${length}`);
    return new OhlcvSeries(new SharedArrayBuffer(Math.max(1, length * FIELD_COUNT * 8)), length);
  }

  /** Rebuilds the column views over a buffer produced by another series (e.g. received by a worker). */
  static fromBuffer(buffer: SharedArrayBuffer, length: number): OhlcvSeries {
    if (buffer.byteLength < length * FIELD_COUNT * 8) {
      throw new RangeError(`buffer of ${buffer.byteLength} bytes cannot hold ${length} bars`);
    }
    return new OhlcvSeries(buffer, length);
  }

  /** Builds a series from plain bar objects (convenient for tests and small inputs). */
  static fromBars(bars: readonly Bar[]): OhlcvSeries {
    const s = OhlcvSeries.allocate(bars.length);
    for (let i = 0; i < bars.length; i++) s.set(i, bars[i]);
    return s;
  }

  /** Builds a series from column arrays of equal length. */
  static fromColumns(cols: Record<OhlcvField, ArrayLike<number>>): OhlcvSeries {
    const n = cols.time.length;
    for (const f of OHLCV_FIELDS) {
      if (cols[f].length !== n) throw new RangeError(`column ${f} has ${cols[f].length} values, expected ${n}`);
    }
    const s = OhlcvSeries.allocate(n);
    for (const f of OHLCV_FIELDS) s[f].set(cols[f]);
    return s;
  }

  /** Writes bar `i`. */
  set(i: number, bar: Bar): void {
    this.time[i] = bar.time;
    this.open[i] = bar.open;
    this.high[i] = bar.high;
    this.low[i] = bar.low;
    this.close[i] = bar.close;
    this.volume[i] = bar.volume;
  }

  /** Reads bar `i` as a new object (allocates; avoid in hot loops). */
  bar(i: number): Bar {
    if (i < 0 || i >= this.length) throw new RangeError(`bar index ${i} outside [0, ${this.length})`);
    return {
      time: this.time[i],
      open: this.open[i],
      high: this.high[i],
      low: this.low[i],
      close: this.close[i],
      volume: this.volume[i],
    };
  }

  /**
   * Bars `[start, end)` as a view over the same shared memory (no copy): what walk-forward windows and
   * workers use to backtest part of a dataset. Its `buffer` is the parent's whole buffer, so rebuild a
   * range in another thread from the parent (`fromBuffer(buffer, parentLength).range(start, end)`).
   */
  range(start: number, end: number = this.length): OhlcvSeries {
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= this.length)) {
      throw new RangeError(`range [${start}, ${end}) outside [0, ${this.length}]`);
    }
    return new OhlcvSeries(this.buffer, end - start, this.#stride, this.#start + start);
  }

  /** Copies bars `[start, end)` into a new series with its own buffer. */
  slice(start: number, end: number = this.length): OhlcvSeries {
    const a = Math.max(0, start);
    const b = Math.min(this.length, end);
    const s = OhlcvSeries.allocate(Math.max(0, b - a));
    for (const f of OHLCV_FIELDS) s[f].set(this[f].subarray(a, b));
    return s;
  }
}

/**
 * Growable builder used by the CSV reader: it appends into plain `Float64Array`s, doubling capacity,
 * and copies once into a shared series at the end, so ingest never needs the whole text in memory.
 */
export class OhlcvBuilder {
  private cols: Float64Array[];
  private n = 0;

  /** @param initialCapacity - starting number of bars; grows by doubling. */
  constructor(initialCapacity = 1024) {
    this.cols = OHLCV_FIELDS.map(() => new Float64Array(Math.max(16, initialCapacity)));
  }

  /** Number of bars appended so far. */
  get length(): number {
    return this.n;
  }

  /** Appends one bar. */
  push(time: number, open: number, high: number, low: number, close: number, volume: number): void {
    if (this.n === this.cols[0].length) this.grow();
    const i = this.n++;
    const c = this.cols;
    c[0][i] = time;
    c[1][i] = open;
    c[2][i] = high;
    c[3][i] = low;
    c[4][i] = close;
    c[5][i] = volume;
  }

  /** Time of the last appended bar, or NaN when empty. */
  lastTime(): number {
    return this.n === 0 ? NaN : this.cols[0][this.n - 1];
  }

  /** Copies the appended bars into a new shared series. */
  finish(): OhlcvSeries {
    const s = OhlcvSeries.allocate(this.n);
    OHLCV_FIELDS.forEach((f, k) => s[f].set(this.cols[k].subarray(0, this.n)));
    return s;
  }

  private grow(): void {
    this.cols = this.cols.map((c) => {
      const next = new Float64Array(c.length * 2);
      next.set(c);
      return next;
    });
  }
}
