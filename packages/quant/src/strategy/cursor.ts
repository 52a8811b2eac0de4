import type { Bar, OhlcvSeries } from '../data/ohlcv.js';

/** Thrown when strategy code asks for a bar after the current one. */
export class LookAheadError extends Error {
  /** @param message - names the accessor, the offset and the current bar. */
  constructor(message: string) {
    super(message);
    this.name = 'LookAheadError';
  }
}

/**
 * A read-only window over the bars up to and including the current one. Offsets count backwards:
 * `close(0)` is the current bar, `close(1)` the previous; offsets before the first bar give NaN (the
 * warm-up), and a negative offset — a future bar — throws {@link LookAheadError}. The series itself is
 * held in a true private field, so strategy code has no reference through which to reach future bars.
 */
export class BarCursor {
  readonly #s: OhlcvSeries;
  #i = -1;

  /** @param series - the full series; only bars up to the current index are ever exposed. */
  constructor(series: OhlcvSeries) {
    this.#s = series;
  }

  /** Moves the cursor; called by the engine only. */
  seek(index: number): void {
    this.#i = index;
  }

  /** Index of the current bar in the run (0-based). */
  get index(): number {
    return this.#i;
  }

  /** Number of bars visible (current one included). */
  get length(): number {
    return this.#i + 1;
  }

  #at(field: string, col: Float64Array, k: number): number {
    if (!(k >= 0) || !Number.isInteger(k)) this.#reject(field, k);
    const j = this.#i - k;
    return j >= 0 ? col[j] : NaN;
  }

  #reject(field: string, k: number): never {
    const i = this.#i;
    const when = i >= 0 && i < this.#s.length ? ` (${new Date(this.#s.time[i]).toISOString()})` : '';
    throw new LookAheadError(
      `look-ahead blocked: ${field}(${k}) asks for a bar after the current bar ${i}${when}; ` +
        `offsets count back from the current bar, so use ${field}(0) for the current bar and ${field}(1) for the previous`,
    );
  }

  /** Close `k` bars ago. */
  close(k = 0): number {
    return this.#at('close', this.#s.close, k);
  }

  /** Open `k` bars ago. */
  open(k = 0): number {
    return this.#at('open', this.#s.open, k);
  }

  /** High `k` bars ago. */
  high(k = 0): number {
    return this.#at('high', this.#s.high, k);
  }

  /** Low `k` bars ago. */
  low(k = 0): number {
    return this.#at('low', this.#s.low, k);
  }

  /** Volume `k` bars ago. */
  volume(k = 0): number {
    return this.#at('volume', this.#s.volume, k);
  }

  /** Open time (epoch ms) `k` bars ago. */
  time(k = 0): number {
    return this.#at('time', this.#s.time, k);
  }

  /** Bar `k` ago as an object (allocates), or undefined before the first bar. */
  bar(k = 0): Bar | undefined {
    if (!(k >= 0) || !Number.isInteger(k)) this.#reject('bar', k);
    const j = this.#i - k;
    return j >= 0 ? this.#s.bar(j) : undefined;
  }

  /** A copy of one column from the first bar through the current one (never beyond). */
  history(field: 'open' | 'high' | 'low' | 'close' | 'volume' | 'time'): Float64Array {
    return this.#s[field].slice(0, this.#i + 1);
  }
}
