import { describe, expect, it } from 'vitest';
import * as q from '../src/index.js';
import { randomWalk } from './synthetic.js';

// SMA and EMA have their own array loops; the other batch functions drive the streaming class over
// the arrays. Either way this checks, bit for bit, that feeding bars one by one through `update`
// reproduces the batch output for every indicator.
const data = randomWalk(600, 7);
const bars = Array.from({ length: data.length }, (_, i) => data.bar(i));

/** Bit-for-bit equality that treats NaN as equal to NaN (Object.is). */
function same(batch: ArrayLike<number>, stream: number[], label: string): void {
  expect(batch.length).toBe(stream.length);
  for (let i = 0; i < stream.length; i++) {
    if (!Object.is(batch[i], stream[i])) throw new Error(`${label} differs at ${i}: batch ${batch[i]} stream ${stream[i]}`);
  }
  // A run of all NaN would make the comparison vacuous.
  expect(stream.some((v) => !Number.isNaN(v))).toBe(true);
}

type Case = [string, () => Record<string, ArrayLike<number>>, () => (bar: q.Bar) => Record<string, number>];

const scalar = (f: () => ArrayLike<number>) => () => ({ value: f() });
const one = <T>(ind: { update(x: T): number }, pick: (b: q.Bar) => T) => (b: q.Bar) => ({ value: ind.update(pick(b)) });
const multi = <T, V extends object>(ind: { update(x: T): V }, pick: (b: q.Bar) => T) => (b: q.Bar) => ({ ...ind.update(pick(b)) }) as Record<string, number>;
const close = (b: q.Bar) => b.close;
const bar = (b: q.Bar) => b;

const cases: Case[] = [
  ['SMA', scalar(() => q.sma(data.close, 20)), () => one(new q.Sma(20), close)],
  ['EMA sma seed', scalar(() => q.ema(data.close, 20)), () => one(new q.Ema(20), close)],
  ['EMA first seed', scalar(() => q.ema(data.close, 20, 'first')), () => one(new q.Ema(20, 'first'), close)],
  ['WMA', scalar(() => q.wma(data.close, 20)), () => one(new q.Wma(20), close)],
  ['DEMA', scalar(() => q.dema(data.close, 20)), () => one(new q.Dema(20), close)],
  ['TEMA', scalar(() => q.tema(data.close, 20)), () => one(new q.Tema(20), close)],
  ['RSI', scalar(() => q.rsi(data.close, 14)), () => one(new q.Rsi(14), close)],
  ['MACD', () => q.macd(data.close, 12, 26, 9), () => multi(new q.Macd(12, 26, 9), close)],
  ['Bollinger', () => q.bollinger(data.close, 20, 2), () => multi(new q.BollingerBands(20, 2), close)],
  ['ATR', scalar(() => q.atr(data, 14)), () => one(new q.Atr(14), bar)],
  ['ADX', () => q.adx(data, 14), () => multi(new q.Adx(14), bar)],
  ['Stochastic', () => q.stochastic(data, 14, 3, 3), () => multi(new q.Stochastic(14, 3, 3), bar)],
  ['StochRSI', scalar(() => q.stochRsi(data.close, 14)), () => one(new q.StochRsi(14), close)],
  ['CCI', scalar(() => q.cci(data, 20)), () => one(new q.Cci(20), bar)],
  ['OBV', scalar(() => q.obv(data)), () => one(new q.Obv(), bar)],
  ['VWAP session', scalar(() => q.vwap(data)), () => one(new q.Vwap(), bar)],
  ['VWAP rolling', scalar(() => q.vwap(data, { period: 30 })), () => one(new q.Vwap({ period: 30 }), bar)],
  ['Williams %R', scalar(() => q.williamsR(data, 14)), () => one(new q.WilliamsR(14), bar)],
  ['ROC', scalar(() => q.roc(data.close, 10)), () => one(new q.Roc(10), close)],
  ['Parabolic SAR', scalar(() => q.parabolicSar(data, 0.02, 0.2)), () => one(new q.ParabolicSar(0.02, 0.2), bar)],
  ['Ichimoku', () => q.ichimoku(data), () => multi(new q.Ichimoku(), bar)],
  ['MFI', scalar(() => q.mfi(data, 14)), () => one(new q.Mfi(14), bar)],
  ['Donchian', () => q.donchian(data, 20), () => multi(new q.Donchian(20), bar)],
  ['Keltner', () => q.keltner(data, 20, 10, 2), () => multi(new q.Keltner(20, 10, 2), bar)],
];

describe('batch and streaming forms agree exactly', () => {
  it('covers all 22 indicators', () => {
    const names = new Set(cases.map(([n]) => n.split(' ')[0]));
    expect(names.size).toBe(22);
  });
  for (const [name, batch, streaming] of cases) {
    it(name, () => {
      const b = batch();
      const step = streaming();
      const outs: Record<string, number[]> = {};
      for (const x of bars) {
        const v = step(x);
        for (const [k, val] of Object.entries(v)) (outs[k] ??= []).push(val);
      }
      for (const k of Object.keys(b)) same(b[k], outs[k], `${name}.${k}`);
    });
  }
});
