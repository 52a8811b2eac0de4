import { Window, assertPeriod, type HlcvArrays, type HlcvBar } from './window.js';

/**
 * Money Flow Index (Quong & Soudack), streaming: typical price TP = (H+L+C)/3, raw flow = TP·volume,
 * counted as positive when TP rose from the previous bar and negative when it fell (neither when
 * unchanged); MFI = 100·Σpositive/(Σpositive + Σnegative) over `period` bars. Warm-up: `period` NaN
 * bars (the first bar has no direction); 50 when both sums are zero.
 */
export class Mfi {
  private readonly pos: Window;
  private readonly neg: Window;
  private prevTp = NaN;
  /** Latest output. */
  value = NaN;

  /** @param period - window length (14 classically). */
  constructor(readonly period: number) {
    assertPeriod(period, 'MFI');
    this.pos = new Window(period);
    this.neg = new Window(period);
  }

  /** Feeds one bar. */
  update(bar: HlcvBar): number {
    const tp = (bar.high + bar.low + bar.close) / 3;
    const prev = this.prevTp;
    this.prevTp = tp;
    if (Number.isNaN(prev)) return NaN;
    const flow = tp * bar.volume;
    this.pos.push(tp > prev ? flow : 0);
    this.neg.push(tp < prev ? flow : 0);
    if (!this.pos.full) return NaN;
    // Sums recomputed from the window (mean × n) so the ratio does not drift on long series.
    const p = this.pos.mean();
    const m = this.neg.mean();
    this.value = p + m === 0 ? 50 : (100 * p) / (p + m);
    return this.value;
  }
}

/** MFI over arrays. */
export function mfi(bars: HlcvArrays, period: number): Float64Array {
  const n = bars.close.length;
  const out = new Float64Array(n);
  const ind = new Mfi(period);
  for (let i = 0; i < n; i++) {
    out[i] = ind.update({ high: bars.high[i], low: bars.low[i], close: bars.close[i], volume: bars.volume[i] });
  }
  return out;
}
