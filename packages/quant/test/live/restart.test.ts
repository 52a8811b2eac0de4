import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/live/journal.js';
import { LiveEngine } from '../../src/live/engine.js';
import { ExchangeSimulator } from '../../src/live/simulator/exchange-simulator.js';
import { closeLoop, newLoop, start, journalEntries, KEY, newAdapter, rig, scripted, SECRET, until, warm } from './helpers.js';

describe('restart from the journal', () => {
  it('a new engine replays orders and positions, reconciles what happened while it was down, and continues client ids', async () => {
    const sim = await new ExchangeSimulator({ apiKey: KEY, apiSecret: SECRET }).start();
    const first = await rig({}, sim);
    await start(first);
    await warm(first);
    first.engine.submit('buy', 'market', 0.5);
    first.engine.submit('buy', 'limit', 1, 95);
    await until(() => first.engine.orders.get('xev-1')?.state === 'filled' && first.engine.orders.get('xev-2')?.state === 'acknowledged', 'fill and ack');
    await first.close();

    // Down time: the resting limit fills.
    sim.trade('BTCUSDT', 95, 1);

    const recovered = Journal.replay(first.journal);
    expect(recovered.orders.get('xev-2')!.state).toBe('acknowledged');
    expect(recovered.positions.get('BTCUSDT').qty).toBeCloseTo(0.5, 12);

    const loop = newLoop();
    const engine = new LiveEngine({ venue: newAdapter(loop, sim), strategy: scripted, symbol: 'BTCUSDT', journal: first.journal, fsync: 'always', reconcileRetryMs: 50 });
    expect(engine.orders.get('xev-2')!.state).toBe('acknowledged');
    await engine.start();
    await engine.idle();
    await until(() => sim.subscribers('btcusdt@trade') === 1, 'the subscription');
    expect(engine.orders.get('xev-2')!.state).toBe('filled');
    const pos = engine.positions.get('BTCUSDT');
    expect(pos.qty).toBeCloseTo(1.5, 12);
    expect(pos.avgPrice).toBeCloseTo((0.5 * 100 + 1 * 95) / 1.5, 9);
    sim.trade('BTCUSDT', 96, 0.01);
    await until(() => engine.positions.lastPrice('BTCUSDT') === 96, 'a mark');
    expect(engine.submit('sell', 'market', 0.5)).toBe(3);
    await until(() => engine.orders.get('xev-3')?.state === 'filled', 'the new order');
    await engine.stop();
    await sim.stop();
    await closeLoop(loop);
    const ids = journalEntries(first.journal).flatMap((e) => (e.t === 'order' ? [e.spec.clientOrderId] : []));
    expect(ids).toEqual(['xev-1', 'xev-2', 'xev-3']);
    expect(sim.engine.balances.get('BTC')).toBeCloseTo(1, 9);
  });
});
