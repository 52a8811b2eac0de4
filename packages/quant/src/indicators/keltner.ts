import { Atr } from './atr.js';
import { Ema, type EmaSeed } from './ema.js';
import { nanArrays, type HlcArrays, type HlcBar } from './window.js';

/** One Keltner output. */
export interface KeltnerValue {
  /** middle + multiplier·ATR. */
  upper: number;
  /** EMA of the close. */
  middle: number;
  /** middle − multiplier·ATR. */
  lower: number;
}

/**
 * Keltner channel in the modern (Raschke / StockCharts) form, streaming: middle = EMA(close,
 * `emaPeriod`), bands = middle ± `multiplier`·ATR(`atrPeriod`) with {@link Atr}'s Wilder convention.
 * Warm-up: NaN until both the EMA and the ATR have one (`max(emaPeriod, atrPeriod) − 1` with the
 * default `sma` EMA seed).
 */
export class Keltner {
  private readonly ema: Ema;
  private readonly atr: Atr;
  /** Latest output. */
  value: KeltnerValue = { upper: NaN, middle: NaN, lower: NaN };

  /**
   * @param emaPeriod - middle-line EMA period (20).
   * @param atrPeriod - ATR period (10).
   * @param multiplier - band width in ATRs (2).
   * @param seed - EMA seed convention.
   */
  constructor(readonly emaPeriod = 20, readonly atrPeriod = 10, readonly multiplier = 2, seed: EmaSeed = 'sma') {
    this.ema = new Ema(emaPeriod, seed);
    this.atr = new Atr(atrPeriod);
  }

  /** Feeds one bar. */
  update(bar: HlcBar): KeltnerValue {
    const mid = this.ema.update(bar.close);
    const a = this.atr.update(bar);
    if (Number.isNaN(mid) || Number.isNaN(a)) return this.value;
    this.value = { upper: mid + this.multiplier * a, middle: mid, lower: mid - this.multiplier * a };
    return this.value;
  }
}

/** Keltner channel over arrays. */
export function keltner(bars: HlcArrays, emaPeriod = 20, atrPeriod = 10, multiplier = 2, seed: EmaSeed = 'sma'): Record<keyof KeltnerValue, Float64Array> {
  const n = bars.close.length;
  const [u, m, l] = nanArrays(n, 3);
  const ind = new Keltner(emaPeriod, atrPeriod, multiplier, seed);
  for (let i = 0; i < n; i++) {
    const v = ind.update({ high: bars.high[i], low: bars.low[i], close: bars.close[i] });
    u[i] = v.upper;
    m[i] = v.middle;
    l[i] = v.lower;
  }
  return { upper: u, middle: m, lower: l };
}
