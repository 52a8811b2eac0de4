import { bucketStart, parseTimeframe, type Timeframe } from '../data/timeframe.js';
import { Window, assertPeriod, type HlcvArrays, type HlcvBar } from './window.js';

/** VWAP options. */
export interface VwapOptions {
  /**
   * Session anchor: the running sums reset when a bar opens a new bucket of this timeframe (default
   * `1d`, i.e. midnight UTC, the crypto convention). Ignored when `period` is set.
   */
  anchor?: string | Timeframe;
  /** Rolling window in bars instead of a session anchor. */
  period?: number;
  /** Price weighted by volume: typical price (H+L+C)/3 (default) or the close. */
  source?: 'typical' | 'close';
}

/**
 * Volume-weighted average price, streaming: Σ(price·volume)/Σ(volume) since the session start (or over
 * the last `period` bars). Session mode needs `bar.time`. No warm-up in session mode; `period − 1` NaN
 * bars in rolling mode. When the volume sum is zero the VWAP is the latest price.
 */
export class Vwap {
  private readonly anchor: Timeframe | undefined;
  private readonly pv: Window | undefined;
  private readonly vol: Window | undefined;
  private session = NaN;
  private sumPv = 0;
  private sumV = 0;
  /** Latest output. */
  value = NaN;

  /** @param options - anchor or rolling period, and price source. */
  constructor(readonly options: VwapOptions = {}) {
    if (options.period !== undefined) {
      assertPeriod(options.period, 'VWAP');
      this.pv = new Window(options.period);
      this.vol = new Window(options.period);
    } else {
      const a = options.anchor ?? '1d';
      this.anchor = typeof a === 'string' ? parseTimeframe(a) : a;
    }
  }

  /** Feeds one bar. */
  update(bar: HlcvBar): number {
    const price = this.options.source === 'close' ? bar.close : (bar.high + bar.low + bar.close) / 3;
    if (this.pv && this.vol) {
      this.pv.push(price * bar.volume);
      this.vol.push(bar.volume);
      if (!this.pv.full) return NaN;
      // Recompute sums from the window so long runs do not accumulate rounding drift.
      const v = this.vol.mean();
      this.value = v === 0 ? price : this.pv.mean() / v;
      return this.value;
    }
    if (bar.time === undefined) throw new TypeError('session-anchored VWAP needs bar.time');
    const s = bucketStart(this.anchor as Timeframe, bar.time);
    if (s !== this.session) {
      this.session = s;
      this.sumPv = 0;
      this.sumV = 0;
    }
    this.sumPv += price * bar.volume;
    this.sumV += bar.volume;
    this.value = this.sumV === 0 ? price : this.sumPv / this.sumV;
    return this.value;
  }
}

/** VWAP over arrays; session mode needs a `time` column (an OhlcvSeries has one). */
export function vwap(bars: HlcvArrays & { time?: ArrayLike<number> }, options: VwapOptions = {}): Float64Array {
  const n = bars.close.length;
  const out = new Float64Array(n);
  const ind = new Vwap(options);
  for (let i = 0; i < n; i++) {
    out[i] = ind.update({
      high: bars.high[i], low: bars.low[i], close: bars.close[i], volume: bars.volume[i],
      time: bars.time ? bars.time[i] : undefined,
    });
  }
  return out;
}
