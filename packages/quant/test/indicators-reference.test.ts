import { describe, expect, it } from 'vitest';
import {
  adx, atr, bollinger, cci, dema, donchian, ema, ichimoku, keltner, macd, mfi, obv, parabolicSar, roc, rsi, sma,
  stochastic, stochRsi, tema, vwap, williamsR, wma,
} from '../src/index.js';
import { expectAligned } from './helpers.js';
import { CLOSE, HIGH, LOW, TULIP, VOLUME } from './tulip-vectors.js';

const bars = { high: HIGH, low: LOW, close: CLOSE, volume: VOLUME };

describe('indicators against Tulip Indicators tests/untest.txt', () => {
  it('SMA 5', () => expectAligned(sma(CLOSE, 5), TULIP['sma 5'], 3, 4));
  it('EMA 5, first-value seed', () => expectAligned(ema(CLOSE, 5, 'first'), TULIP['ema 5'], 3, 0));
  it('WMA 5', () => expectAligned(wma(CLOSE, 5), TULIP['wma 5'], 3, 4));
  it('DEMA 5', () => expectAligned(dema(CLOSE, 5), TULIP['dema 5'], 3, 8));
  it('TEMA 5', () => expectAligned(tema(CLOSE, 5), TULIP['tema 5'], 3, 12));
  it('RSI 5 (Wilder)', () => expectAligned(rsi(CLOSE, 5), TULIP['rsi 5'], 3, 5));
  it('MACD 2 5 9', () => {
    const m = macd(CLOSE, 2, 5, 9);
    const ref = TULIP['macd 2 5 9'];
    expectAligned(m.macd, ref.macd, 3, 4);
    expectAligned(m.signal, ref.signal, 3, 4);
    expectAligned(m.histogram, ref.histogram, 3, 4);
  });
  it('Bollinger 5 2 (population σ)', () => {
    const b = bollinger(CLOSE, 5, 2);
    const ref = TULIP['bbands 5 2'];
    expectAligned(b.lower, ref.lower, 3, 4);
    expectAligned(b.middle, ref.middle, 3, 4);
    expectAligned(b.upper, ref.upper, 3, 4);
  });
  it('ATR 5', () => expectAligned(atr(bars, 5), TULIP['atr 5'], 3, 4));
  it('ADX 5 with +DI/−DI', () => {
    const a = adx(bars, 5);
    expectAligned(a.adx, TULIP['adx 5'], 3, 8);
    expectAligned(a.plusDi, TULIP['di 5'].plus, 3, 4);
    expectAligned(a.minusDi, TULIP['di 5'].minus, 3, 4);
  });
  it('Stochastic 5 3 3', () => {
    const s = stochastic(bars, 5, 3, 3);
    expectAligned(s.k, TULIP['stoch 5 3 3'].k, 3, 6);
    expectAligned(s.d, TULIP['stoch 5 3 3'].d, 3, 8);
  });
  it('StochRSI 5', () => expectAligned(stochRsi(CLOSE, 5), TULIP['stochrsi 5'], 3, 9));
  it('CCI 5', () => expectAligned(cci(bars, 5), TULIP['cci 5'], 3, 4));
  it('OBV', () => expectAligned(obv(bars), TULIP.obv, 3, 0));
  it('Williams %R 5', () => expectAligned(williamsR(bars, 5), TULIP['willr 5'], 3, 4));
  it('ROC 5 (percent = 100 × Tulip ratio)', () => {
    const r = Array.from(roc(CLOSE, 5), (v) => v / 100);
    expectAligned(r, TULIP['roc 5'], 3, 5);
  });
  it('Parabolic SAR step .2 max 2', () => expectAligned(parabolicSar(bars, 0.2, 2), TULIP['psar .2 2'], 3, 1));
  it('MFI 5', () => expectAligned(mfi(bars, 5), TULIP['mfi 5'], 3, 5));
  it('Donchian 5 equals Tulip max/min over the same series', () => {
    const d = donchian({ high: CLOSE, low: CLOSE }, 5);
    expectAligned(d.upper, TULIP['max 5'], 3, 4);
    expectAligned(d.lower, TULIP['min 5'], 3, 4);
  });
  it('rolling VWAP 5 on close equals Tulip vwma 5', () => {
    expectAligned(vwap(bars, { period: 5, source: 'close' }), TULIP['vwma 5'], 3, 4);
  });
  it('Keltner(5, 5, 2, first seed) equals Tulip ema 5 ± 2 × atr 5', () => {
    const k = keltner(bars, 5, 5, 2, 'first');
    const e = TULIP['ema 5'].slice(4);
    const a = TULIP['atr 5'];
    // Two rounded references combine: tolerance 0.5e-3 + 2 × 0.5e-3, so compare at 2 decimals plus slack.
    const tol = 0.0015 + 1e-9;
    for (let j = 0; j < a.length; j++) {
      expect(Math.abs(k.upper[4 + j] - (e[j] + 2 * a[j]))).toBeLessThanOrEqual(tol);
      expect(Math.abs(k.lower[4 + j] - (e[j] - 2 * a[j]))).toBeLessThanOrEqual(tol);
    }
    expect(Number.isNaN(k.middle[3])).toBe(true);
  });
  it('Ichimoku(5, 5, 5, 3): lines are Tulip max/min midpoints, spans shifted forward by 3', () => {
    const ich = ichimoku({ high: CLOSE, low: CLOSE, close: CLOSE }, 5, 5, 5, 3);
    const mid = TULIP['max 5'].map((hi, j) => (hi + TULIP['min 5'][j]) / 2);
    expectAligned(ich.tenkan, mid, 3, 4);
    expectAligned(ich.kijun, mid, 3, 4);
    expectAligned(ich.senkouB, mid.slice(0, mid.length - 3), 3, 7);
    expectAligned(ich.senkouA, mid.slice(0, mid.length - 3), 3, 7);
    expect(Array.from(ich.chikou)).toEqual(CLOSE);
  });
});

describe('EMA seed conventions', () => {
  it('sma seed: NaN for period − 1 bars, the SMA on bar period − 1, then α-smoothing', () => {
    const e = ema(CLOSE, 5);
    const s = sma(CLOSE, 5);
    expect(e.slice(0, 4).every(Number.isNaN)).toBe(true);
    expect(e[4]).toBeCloseTo(s[4], 12);
    expect(e[5]).toBeCloseTo(s[4] + (2 / 6) * (CLOSE[5] - s[4]), 12);
    // The two seeds converge: after 10 more bars the difference shrinks by (1 − α)^10 ≈ 0.017.
    const f = ema(CLOSE, 5, 'first');
    expect(Math.abs(e[14] - f[14])).toBeLessThan(0.02 * Math.abs(e[4] - f[4]) + 1e-12);
  });
});

describe('session VWAP (hand-computed)', () => {
  it('accumulates Σ(typical·volume)/Σvolume and resets at the UTC day boundary', () => {
    const day = Date.UTC(2024, 0, 1);
    const H = 3_600_000;
    // Typical prices 10, 20, then a new day at 30, 40 (high = low = close keeps TP exact).
    const bars = { time: [day + 22 * H, day + 23 * H, day + 24 * H, day + 25 * H], high: [10, 20, 30, 40], low: [10, 20, 30, 40], close: [10, 20, 30, 40], volume: [1, 3, 2, 2] };
    expect(Array.from(vwap(bars))).toEqual([10, (10 + 60) / 4, 30, (60 + 80) / 4]);
    // A 4h anchor puts 22:00 and 23:00 in the 20:00 bucket and 00:00, 01:00 in the next.
    expect(Array.from(vwap(bars, { anchor: '4h' }))).toEqual([10, 17.5, 30, 35]);
  });
});
