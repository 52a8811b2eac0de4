import { assertPeriod, type HlcArrays, type HlcBar } from './window.js';

/**
 * True range of a bar given the previous close: max(high − low, |high − prevClose|, |low − prevClose|).
 * On the first bar there is no previous close and the true range is high − low.
 */
export function trueRange(high: number, low: number, prevClose: number): number {
  if (Number.isNaN(prevClose)) return high - low;
  return Math.max(high - low, Math.abs(high - prevClose), Math.abs(low - prevClose));
}

/**
 * Average True Range (Wilder 1978), streaming. The first true range is the first bar's high − low; the
 * first ATR (on bar `period − 1`) is the mean of the first `period` true ranges; then
 * ATR = (ATR·(period − 1) + TR) / period. Warm-up: `period − 1` NaN bars. Matches Tulip's `atr`.
 */
export class Atr {
  private n = 0;
  private prevClose = NaN;
  private acc = 0;
  /** Latest output. */
  value = NaN;

  /** @param period - smoothing period ≥ 1 (14 classically). */
  constructor(readonly period: number) {
    assertPeriod(period, 'ATR');
  }

  /** Feeds one bar. */
  update(bar: HlcBar): number {
    const tr = trueRange(bar.high, bar.low, this.prevClose);
    this.prevClose = bar.close;
    const i = this.n++;
    const p = this.period;
    if (i < p - 1) {
      this.acc += tr;
      return NaN;
    }
    this.value = i === p - 1 ? (this.acc + tr) / p : (this.value * (p - 1) + tr) / p;
    return this.value;
  }
}

/** ATR over arrays (an OhlcvSeries works as input). */
export function atr(bars: HlcArrays, period: number): Float64Array {
  const n = bars.close.length;
  const out = new Float64Array(n);
  const ind = new Atr(period);
  const bar = { high: 0, low: 0, close: 0 };
  for (let i = 0; i < n; i++) {
    bar.high = bars.high[i];
    bar.low = bars.low[i];
    bar.close = bars.close[i];
    out[i] = ind.update(bar);
  }
  return out;
}
