import { Window, assertPeriod, nanArrays, type HlcArrays } from './window.js';

/** One Donchian output. */
export interface DonchianValue {
  /** Highest high of the window. */
  upper: number;
  /** (upper + lower) / 2. */
  middle: number;
  /** Lowest low of the window. */
  lower: number;
}

/**
 * Donchian channel, streaming: upper = highest high and lower = lowest low over the last `period` bars
 * *including* the current one (StockCharts' convention; a breakout rule comparing the close with the
 * channel should use the previous bar's channel); middle = (upper + lower)/2. Warm-up: `period − 1`.
 */
export class Donchian {
  private readonly hi: Window;
  private readonly lo: Window;
  /** Latest output. */
  value: DonchianValue = { upper: NaN, middle: NaN, lower: NaN };

  /** @param period - look-back (20 classically). */
  constructor(readonly period: number) {
    assertPeriod(period, 'Donchian');
    this.hi = new Window(period);
    this.lo = new Window(period);
  }

  /** Feeds one bar. */
  update(bar: { high: number; low: number }): DonchianValue {
    this.hi.push(bar.high);
    this.lo.push(bar.low);
    if (!this.hi.full) return this.value;
    const upper = this.hi.max();
    const lower = this.lo.min();
    this.value = { upper, middle: (upper + lower) / 2, lower };
    return this.value;
  }
}

/** Donchian channel over arrays. */
export function donchian(bars: Pick<HlcArrays, 'high' | 'low'>, period: number): Record<keyof DonchianValue, Float64Array> {
  const n = bars.high.length;
  const [u, m, l] = nanArrays(n, 3);
  const ind = new Donchian(period);
  for (let i = 0; i < n; i++) {
    const v = ind.update({ high: bars.high[i], low: bars.low[i] });
    u[i] = v.upper;
    m[i] = v.middle;
    l[i] = v.lower;
  }
  return { upper: u, middle: m, lower: l };
}
