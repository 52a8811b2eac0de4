import { defineStrategy, OhlcvSeries, runBacktest, type BacktestOptions, type StrategyContext } from '../src/index.js';

/** One bar as [open, high, low, close]. */
export type Ohlc = [number, number, number, number];

/** Builds an hourly series from [o, h, l, c] rows (volume 1). */
export function barsOf(rows: Ohlc[]): OhlcvSeries {
  return OhlcvSeries.fromBars(rows.map(([open, high, low, close], i) => ({
    time: Date.UTC(2024, 0, 1) + i * 3_600_000, open, high, low, close, volume: 1,
  })));
}

/** Actions to run in `onBar` of a given bar index. */
export type Script = Record<number, (ctx: StrategyContext<{}, unknown>) => void>;

/** A strategy that replays a script: the fill-model tables drive the engine with it. */
export const scripted = (script: Script) =>
  defineStrategy({
    name: 'scripted',
    params: {},
    init: () => ({}),
    onBar(ctx) {
      script[ctx.bars.index]?.(ctx as StrategyContext<{}, unknown>);
    },
  });

/** Runs a script over rows and returns the result. */
export function runScript(rows: Ohlc[], script: Script, options: BacktestOptions = {}) {
  return runBacktest(barsOf(rows), scripted(script), {}, { initialCash: 100_000, ...options });
}
