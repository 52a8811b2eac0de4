#!/usr/bin/env node
// Paper-trades the built-in dual-MA strategy on a live stream: an exchange simulator on loopback
// (Binance's wire formats) replays bars as trades and klines, the Binance adapter reads them over xev
// WebSockets, and the paper venue fills orders with the backtest's fill model.
//
//   (cd packages/core && npx tsup) && (cd packages/net && npx tsup) && (cd packages/quant && npx tsup)
//   node examples/quant-live/paper-on-simulator.mjs [bars.csv] [--bars N]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Loop } from '@xev/core';
import { dualMaCross, OhlcvSeries, readOhlcvCsv } from '@xev/quant';
import { BinanceAdapter, ExchangeSimulator, LiveEngine, PaperVenue } from '@xev/quant/live';

const args = process.argv.slice(2);
const at = args.indexOf('--bars');
const n = at >= 0 ? Number(args[at + 1]) : 2000;
const csv = args.find((a, i) => !a.startsWith('--') && (at < 0 || i !== at + 1));

// Bars: a CSV when given, else a seeded random walk (the same numbers on every run).
let series;
if (csv) series = (await readOhlcvCsv(csv)).series;
else {
  series = OhlcvSeries.allocate(n);
  let seed = 42;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p;
    p = Math.max(1, p * (1 + (rand() - 0.5) * 0.02));
    series.set(i, { time: Date.UTC(2024, 0, 1) + i * 60_000, open: o, high: Math.max(o, p) * 1.001, low: Math.min(o, p) * 0.999, close: p, volume: 10 });
  }
}

const sim = await new ExchangeSimulator().start();
const loop = new Loop();
const source = new BinanceAdapter(loop, { restUrl: sim.restUrl, wsUrl: sim.wsUrl, symbols: ['BTCUSDT'], streams: ['trade', 'kline'], credentials: null });
const journal = join(mkdtempSync(join(tmpdir(), 'paper-')), 'journal.jsonl');
const engine = new LiveEngine({
  venue: new PaperVenue(source, { fees: { taker: 0.001, maker: 0.001 }, slippageBps: 1 }),
  strategy: dualMaCross, params: { fast: 10, slow: 30 }, symbol: 'BTCUSDT', journal,
  risk: { maxPosition: 1_000, maxOrderNotional: 1_000_000, priceBand: 0.05 },
});
await engine.start();
while (sim.subscribers('btcusdt@kline_1m') === 0) await new Promise((r) => setTimeout(r, 5));
await sim.replay('BTCUSDT', series);
while (engine.stats.bars < series.length) await new Promise((r) => setTimeout(r, 5));
await engine.idle();

const pos = engine.positions.get('BTCUSDT');
console.log(JSON.stringify({
  bars: engine.stats.bars, orders: engine.stats.ordersSent, riskRejections: engine.stats.riskRejections,
  position: pos.qty, realized: Number(pos.realized.toFixed(2)), fees: Number(pos.fees.toFixed(2)),
  pnl: Number(engine.positions.totalPnl().toFixed(2)), journal,
}));
await engine.stop();
await sim.stop();
while (loop.activeCount > 0) await new Promise((r) => setTimeout(r, 10));
loop.close();
