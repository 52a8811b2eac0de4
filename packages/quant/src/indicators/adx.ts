import { trueRange } from './atr.js';
import { assertPeriod, nanArrays, type HlcArrays, type HlcBar } from './window.js';

/** One ADX output. */
export interface AdxValue {
  /** Average directional index. */
  adx: number;
  /** +DI, in percent. */
  plusDi: number;
  /** −DI, in percent. */
  minusDi: number;
}

/**
 * ADX with +DI and −DI (Wilder 1978), streaming, in Tulip Indicators' convention. Directional
 * movement and true range start on the second bar; their Wilder sums begin as the plain sums of the
 * first `period − 1` values and then follow S = S − S/period + x. ±DI = 100·S(±DM)/S(TR), reported from
 * bar `period − 1`. DX = 100·|+DI − −DI|/(+DI + −DI); ADX starts as the mean of the first `period` DX
 * values (bar `2·(period − 1)`) and then ADX = (ADX·(period − 1) + DX)/period.
 */
export class Adx {
  private n = 0;
  private prevHigh = NaN;
  private prevLow = NaN;
  private prevClose = NaN;
  private sPlus = 0;
  private sMinus = 0;
  private sTr = 0;
  private dxCount = 0;
  private adxAcc = 0;
  /** Latest output. */
  value: AdxValue = { adx: NaN, plusDi: NaN, minusDi: NaN };

  /** @param period - smoothing period ≥ 2 (14 classically). */
  constructor(readonly period: number) {
    assertPeriod(period, 'ADX');
    if (period < 2) throw new RangeError('ADX period must be at least 2');
  }

  /** Feeds one bar. */
  update(bar: HlcBar): AdxValue {
    const i = this.n++;
    const p = this.period;
    const { high, low, close } = bar;
    if (i === 0) {
      this.prevHigh = high;
      this.prevLow = low;
      this.prevClose = close;
      return this.value;
    }
    const up = high - this.prevHigh;
    const down = this.prevLow - low;
    const plusDm = up > down && up > 0 ? up : 0;
    const minusDm = down > up && down > 0 ? down : 0;
    const tr = trueRange(high, low, this.prevClose);
    this.prevHigh = high;
    this.prevLow = low;
    this.prevClose = close;
    if (i < p) {
      this.sPlus += plusDm;
      this.sMinus += minusDm;
      this.sTr += tr;
      if (i < p - 1) return this.value;
    } else {
      this.sPlus = this.sPlus - this.sPlus / p + plusDm;
      this.sMinus = this.sMinus - this.sMinus / p + minusDm;
      this.sTr = this.sTr - this.sTr / p + tr;
    }
    const plusDi = this.sTr === 0 ? 0 : (100 * this.sPlus) / this.sTr;
    const minusDi = this.sTr === 0 ? 0 : (100 * this.sMinus) / this.sTr;
    const diSum = plusDi + minusDi;
    const dx = diSum === 0 ? 0 : (100 * Math.abs(plusDi - minusDi)) / diSum;
    let adx = NaN;
    this.dxCount++;
    if (this.dxCount < p) {
      this.adxAcc += dx;
    } else if (this.dxCount === p) {
      adx = (this.adxAcc + dx) / p;
    } else {
      adx = (this.value.adx * (p - 1) + dx) / p;
    }
    this.value = { adx, plusDi, minusDi };
    return this.value;
  }
}

/** ADX, +DI and −DI over arrays. */
export function adx(bars: HlcArrays, period: number): { adx: Float64Array; plusDi: Float64Array; minusDi: Float64Array } {
  const n = bars.close.length;
  const [a, p, m] = nanArrays(n, 3);
  const ind = new Adx(period);
  for (let i = 0; i < n; i++) {
    const v = ind.update({ high: bars.high[i], low: bars.low[i], close: bars.close[i] });
    a[i] = v.adx;
    p[i] = v.plusDi;
    m[i] = v.minusDi;
  }
  return { adx: a, plusDi: p, minusDi: m };
}
