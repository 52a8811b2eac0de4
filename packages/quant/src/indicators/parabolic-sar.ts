import { type HlcArrays } from './window.js';

/**
 * Parabolic SAR (Wilder 1978), streaming, with Tulip Indicators' start-up: on the second bar the trend
 * is long when its midpoint (H+L) is at or above the first bar's, and the SAR starts at the first bar's
 * low (long) or high (short) with the extreme point at its high (long) or low (short). Each bar:
 * SAR += AF·(EP − SAR), clamped so it never enters the prior two bars' range; a new extreme raises AF by
 * `step` up to `max`; a bar that crosses the SAR reverses the trend, sets SAR to the old EP and resets
 * AF to `step`. Warm-up: 1 NaN bar. The output is the SAR in force after the bar.
 */
export class ParabolicSar {
  private n = 0;
  private long = true;
  private sar = NaN;
  private ep = NaN;
  private af: number;
  private h1 = NaN;
  private l1 = NaN;
  private h2 = NaN;
  private l2 = NaN;
  /** Latest output. */
  value = NaN;

  /**
   * @param step - acceleration step (0.02 classically).
   * @param max - acceleration cap (0.2 classically).
   */
  constructor(readonly step: number, readonly max: number) {
    if (!(step > 0) || !(max >= step)) throw new RangeError(`Parabolic SAR needs 0 < step ≤ max, got ${step}, ${max}`);
    this.af = step;
  }

  /** Feeds one bar (high and low are used). */
  update(bar: { high: number; low: number }): number {
    const i = this.n++;
    const { high, low } = bar;
    if (i === 0) {
      this.h1 = high;
      this.l1 = low;
      return NaN;
    }
    if (i === 1) {
      this.long = this.h1 + this.l1 <= high + low;
      this.ep = this.long ? this.h1 : this.l1;
      this.sar = this.long ? this.l1 : this.h1;
    }
    let sar = this.sar + this.af * (this.ep - this.sar);
    if (this.long) {
      if (i >= 2 && sar > this.l2) sar = this.l2;
      if (sar > this.l1) sar = this.l1;
      if (high > this.ep) {
        this.ep = high;
        this.af = Math.min(this.af + this.step, this.max);
      }
      if (low < sar) this.reverse(high, low);
      else this.sar = sar;
    } else {
      if (i >= 2 && sar < this.h2) sar = this.h2;
      if (sar < this.h1) sar = this.h1;
      if (low < this.ep) {
        this.ep = low;
        this.af = Math.min(this.af + this.step, this.max);
      }
      if (high > sar) this.reverse(high, low);
      else this.sar = sar;
    }
    this.h2 = this.h1;
    this.l2 = this.l1;
    this.h1 = high;
    this.l1 = low;
    this.value = this.sar;
    return this.value;
  }

  private reverse(high: number, low: number): void {
    this.sar = this.ep;
    this.long = !this.long;
    this.ep = this.long ? high : low;
    this.af = this.step;
  }
}

/** Parabolic SAR over arrays. */
export function parabolicSar(bars: Pick<HlcArrays, 'high' | 'low'>, step: number, max: number): Float64Array {
  const n = bars.high.length;
  const out = new Float64Array(n);
  const ind = new ParabolicSar(step, max);
  for (let i = 0; i < n; i++) out[i] = ind.update({ high: bars.high[i], low: bars.low[i] });
  return out;
}
