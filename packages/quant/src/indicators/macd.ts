import { Ema } from './ema.js';
import { assertPeriod, nanArrays } from './window.js';

/** One MACD output. */
export interface MacdValue {
  /** Fast EMA − slow EMA. */
  macd: number;
  /** EMA of the MACD line. */
  signal: number;
  /** MACD − signal. */
  histogram: number;
}

/**
 * MACD (Appel), streaming, in Tulip Indicators' convention: the fast and slow EMAs are seeded with the
 * first close; MACD = fast − slow is reported from bar `slow − 1`; the signal EMA is seeded with the
 * first reported MACD; histogram = MACD − signal. Warm-up: `slow − 1` NaN bars for all three lines.
 */
export class Macd {
  private readonly fastEma: Ema;
  private readonly slowEma: Ema;
  private readonly signalEma: Ema;
  private n = 0;
  /** Latest output. */
  value: MacdValue = { macd: NaN, signal: NaN, histogram: NaN };

  /**
   * @param fast - fast EMA period (12 classically).
   * @param slow - slow EMA period (26), must exceed `fast`.
   * @param signal - signal EMA period (9).
   */
  constructor(readonly fast: number, readonly slow: number, readonly signal: number) {
    assertPeriod(fast, 'MACD fast');
    assertPeriod(slow, 'MACD slow');
    assertPeriod(signal, 'MACD signal');
    if (slow <= fast) throw new RangeError(`MACD slow period (${slow}) must exceed fast (${fast})`);
    this.fastEma = new Ema(fast, 'first');
    this.slowEma = new Ema(slow, 'first');
    this.signalEma = new Ema(signal, 'first');
  }

  /** Feeds one close. */
  update(x: number): MacdValue {
    const i = this.n++;
    const f = this.fastEma.update(x);
    const s = this.slowEma.update(x);
    if (i < this.slow - 1) return this.value;
    const m = f - s;
    const sig = this.signalEma.update(m);
    this.value = { macd: m, signal: sig, histogram: m - sig };
    return this.value;
  }
}

/** MACD over an array of closes. */
export function macd(values: ArrayLike<number>, fast: number, slow: number, signal: number): {
  /** Fast EMA − slow EMA. */
  macd: Float64Array;
  /** EMA of the MACD line. */
  signal: Float64Array;
  /** MACD − signal. */
  histogram: Float64Array;
} {
  const [m, s, h] = nanArrays(values.length, 3);
  const ind = new Macd(fast, slow, signal);
  for (let i = 0; i < values.length; i++) {
    const v = ind.update(values[i]);
    m[i] = v.macd;
    s[i] = v.signal;
    h[i] = v.histogram;
  }
  return { macd: m, signal: s, histogram: h };
}
