import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/engine.js';
import { dualMaCross } from '../../src/strategy/builtins/dual-ma-cross.js';
import { BinanceAdapter } from '../../src/live/binance/binance-adapter.js';
import { LiveEngine } from '../../src/live/engine.js';
import { ExchangeSimulator } from '../../src/live/simulator/exchange-simulator.js';
import { PaperVenue } from '../../src/live/venue/paper-venue.js';
import { randomWalk } from '../synthetic.js';
import { closeLoop, journalEntries, newLoop, tempDir, until } from './helpers.js';

describe('paper venue: the backtest fill model on live data', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('the same strategy definition, replayed as a live stream through the simulator, fills at the same prices as the backtest (next bar open)', async () => {
    const series = randomWalk(400, 7);
    const params = { fast: 5, slow: 20, allowShort: true };
    const bt = runBacktest(series, dualMaCross, params, { closeAtEnd: false, defaultSize: { qty: 1 } });
    expect(bt.fills.length).toBeGreaterThan(4);

    const sim = await new ExchangeSimulator().start();
    const loop = newLoop();
    const journal = join(tempDir(), 'paper.jsonl');
    const source = new BinanceAdapter(loop, { restUrl: sim.restUrl, wsUrl: sim.wsUrl, symbols: ['BTCUSDT'], streams: ['trade', 'kline'], credentials: null });
    const engine = new LiveEngine({ venue: new PaperVenue(source), strategy: dualMaCross, params, symbol: 'BTCUSDT', journal, fsync: 'never', defaultSize: { qty: 1 } });
    cleanup = async () => {
      await engine.stop();
      await sim.stop();
      await closeLoop(loop);
    };
    await engine.start();
    await until(() => sim.subscribers('btcusdt@kline_1m') === 1, 'the subscription');
    await sim.replay('BTCUSDT', series);
    await until(() => engine.stats.bars === series.length, 'every bar');
    await engine.idle();

    const fills: { side: string; price: number; qty: number }[] = [];
    const seen = new Map<string, { cumQty: number; cumQuote: number }>();
    const sides = new Map<string, string>();
    for (const e of journalEntries(journal)) {
      if (e.t === 'order') sides.set(e.spec.clientOrderId, e.spec.side);
      if (e.t !== 'update' || e.u.cumQty === 0) continue;
      const prev = seen.get(e.u.clientOrderId) ?? { cumQty: 0, cumQuote: 0 };
      fills.push({ side: sides.get(e.u.clientOrderId)!, price: (e.u.cumQuote - prev.cumQuote) / (e.u.cumQty - prev.cumQty), qty: e.u.cumQty - prev.cumQty });
      seen.set(e.u.clientOrderId, e.u);
    }
    expect(fills.map((f) => f.side)).toEqual(bt.fills.map((f) => f.side));
    fills.forEach((f, k) => {
      expect(f.price).toBeCloseTo(bt.fills[k].price, 9);
      expect(f.qty).toBeCloseTo(bt.fills[k].qty, 9);
    });
    expect(engine.positions.get('BTCUSDT').qty).toBeCloseTo(bt.final.qty, 9);
  });
});
