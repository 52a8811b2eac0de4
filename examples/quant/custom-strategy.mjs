// A custom strategy on the S&P 500 daily series shipped by vega-datasets.
// Run from the repository root after building the package:
//   (cd packages/quant && npx tsup) && node examples/quant/custom-strategy.mjs [report.html]
import {
  Ema, Atr, computeMetrics, defineStrategy, readOhlcvCsv, renderReport, runBacktest, sp500DataPath,
} from '@xev/quant';
import { writeFileSync } from 'node:fs';

// Trend following with a volatility stop: long while the close is above its EMA, with a stop-loss
// `atrMult` ATRs below the entry and a trailing stop of `trailPct`.
const emaTrend = defineStrategy({
  name: 'ema-trend-atr-stop',
  params: {
    period: { type: 'int', min: 5, max: 400, default: 100 },
    atrMult: { type: 'float', min: 0.5, max: 10, default: 3 },
    trailPct: { type: 'float', min: 0.01, max: 0.5, default: 0.1 },
  },
  init: ({ params }) => ({ ema: new Ema(params.period), atr: new Atr(14) }),
  onBar(ctx) {
    const bar = { high: ctx.bars.high(0), low: ctx.bars.low(0), close: ctx.bars.close(0) };
    const e = ctx.state.ema.update(bar.close);
    const a = ctx.state.atr.update(bar);
    if (Number.isNaN(e) || Number.isNaN(a)) return;
    if (ctx.position.qty === 0 && bar.close > e) {
      ctx.enterLong({ stopLoss: { distance: ctx.params.atrMult * a }, trailingStop: { pct: ctx.params.trailPct } });
    } else if (ctx.position.qty > 0 && bar.close < e) {
      ctx.exit('below-ema');
    }
  },
});

const { series } = await readOhlcvCsv(sp500DataPath(), { gaps: 'allow' });
const result = runBacktest(series, emaTrend, { period: 100 }, { fees: { taker: 0.0005 }, slippageBps: 2 });
const metrics = computeMetrics(result, { calendar: 'equities' });
console.log(`${result.trades.length} trades, total return ${(metrics.totalReturn * 100).toFixed(1)} %, ` +
  `CAGR ${(metrics.cagr * 100).toFixed(2)} %, max drawdown ${(metrics.maxDrawdown * 100).toFixed(1)} %, ` +
  `buy & hold ${(metrics.buyAndHoldReturn * 100).toFixed(1)} %`);
const exits = {};
for (const t of result.trades) exits[t.exitReason] = (exits[t.exitReason] ?? 0) + 1;
console.log('exit reasons:', exits);
const out = process.argv[2];
if (out) {
  writeFileSync(out, renderReport({ title: 'EMA trend with ATR stop', result, metrics }));
  console.log(`report written to ${out}`);
}
