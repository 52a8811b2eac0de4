import { Window, assertPeriod, type HlcArrays, type HlcBar } from './window.js';

/**
 * Williams %R, streaming: −100·(HH − close)/(HH − LL) over `period` bars, on the −100…0 scale. A flat
 * range (HH = LL) leaves the ratio undefined, so −50 (mid-range) is reported. Warm-up: `period − 1` NaN bars.
 */
export class WilliamsR {
  private readonly hi: Window;
  private readonly lo: Window;
  /** Latest output. */
  value = NaN;

  /** @param period - look-back (14 classically). */
  constructor(readonly period: number) {
    assertPeriod(period, 'Williams %R');
    this.hi = new Window(period);
    this.lo = new Window(period);
  }

  /** Feeds one bar. */
  update(bar: HlcBar): number {
    this.hi.push(bar.high);
    this.lo.push(bar.low);
    if (!this.hi.full) return NaN;
    const hh = this.hi.max();
    const ll = this.lo.min();
    this.value = hh === ll ? -50 : (-100 * (hh - bar.close)) / (hh - ll);
    return this.value;
  }
}

/** Williams %R over arrays. */
export function williamsR(bars: HlcArrays, period: number): Float64Array {
  const n = bars.close.length;
  const out = new Float64Array(n);
  const ind = new WilliamsR(period);
  for (let i = 0; i < n; i++) out[i] = ind.update({ high: bars.high[i], low: bars.low[i], close: bars.close[i] });
  return out;
}
