/**
 * On-Balance Volume (Granville), streaming: starts at 0 on the first bar; adds the bar's volume when
 * the close rises, subtracts it when the close falls, unchanged otherwise. No warm-up.
 */
export class Obv {
  private prev = NaN;
  /** Latest output. */
  value = 0;

  /** Feeds one bar's close and volume. */
  update(bar: { close: number; volume: number }): number {
    if (!Number.isNaN(this.prev)) {
      if (bar.close > this.prev) this.value += bar.volume;
      else if (bar.close < this.prev) this.value -= bar.volume;
    }
    this.prev = bar.close;
    return this.value;
  }
}

/** OBV over arrays. */
export function obv(bars: { close: ArrayLike<number>; volume: ArrayLike<number> }): Float64Array {
  const n = bars.close.length;
  const out = new Float64Array(n);
  const ind = new Obv();
  for (let i = 0; i < n; i++) out[i] = ind.update({ close: bars.close[i], volume: bars.volume[i] });
  return out;
}
