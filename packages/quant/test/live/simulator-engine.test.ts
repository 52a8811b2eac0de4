import { afterEach, describe, expect, it } from 'vitest';
import { LiveEngine } from '../../src/live/engine.js';
import { bar, journalEntries, rig, script, scripted, until, warm, start, type Rig } from './helpers.js';

describe('live engine against the exchange simulator (Binance wire formats, xev sockets)', () => {
  let r: Rig | undefined;
  afterEach(async () => {
    script.length = 0;
    await r?.close();
    r = undefined;
  });

  it('a market order fills, books the position and journals order then updates', async () => {
    r = await rig();
    await start(r);
    script.push((ctx) => ctx.order({ side: 'buy', size: { qty: 0.5 } }));
    bar(r.sim, 1, 100);
    await until(() => r!.engine.orders.all()[0]?.state === 'filled', 'the fill');
    await r.engine.idle();
    const pos = r.engine.positions.get('BTCUSDT');
    expect(pos.qty).toBeCloseTo(0.5, 12);
    expect(pos.avgPrice).toBeCloseTo(100, 9);
    expect(r.sim.stats.signatureFailures).toBe(0);
    const j = journalEntries(r.journal);
    const orderLine = j.findIndex((e) => e.t === 'order');
    const firstUpdate = j.findIndex((e) => e.t === 'update');
    expect(orderLine).toBeGreaterThan(-1);
    expect(firstUpdate).toBeGreaterThan(orderLine);
  });

  it('a market order larger than one book level fills in parts: partially-filled, then filled at the average of the levels', async () => {
    r = await rig();
    await start(r);
    await warm(r);
    // Each synthetic level holds 1 BTC, one step (0.01 %) apart: 2.5 BTC takes three levels.
    const states: string[] = [];
    const id = r.engine.submit('buy', 'market', 2.5);
    expect(id).toBe(1);
    await until(() => r!.engine.orders.get('xev-1')?.state === 'filled', 'the complete fill');
    await r.engine.idle();
    for (const e of journalEntries(r.journal)) if (e.t === 'update') states.push(e.u.status);
    expect(states).toContain('partially-filled');
    const pos = r.engine.positions.get('BTCUSDT');
    expect(pos.qty).toBeCloseTo(2.5, 12);
    expect(pos.avgPrice).toBeCloseTo((100 * 1 + 100.01 * 1 + 100.02 * 0.5) / 2.5, 9);
  });

  it('a resting limit fills partially from a small trade, then is cancelled with its partial fill kept', async () => {
    r = await rig();
    await start(r);
    r.engine.submit('buy', 'limit', 2, 99);
    await until(() => r!.engine.orders.get('xev-1')?.state === 'acknowledged', 'the acknowledgement');
    r.sim.trade('BTCUSDT', 99, 0.75);
    await until(() => r!.engine.orders.get('xev-1')?.state === 'partially-filled', 'the partial fill');
    expect(r.engine.positions.get('BTCUSDT').qty).toBeCloseTo(0.75, 12);
    await r.engine.cancel('xev-1');
    await until(() => r!.engine.orders.get('xev-1')?.state === 'cancelled', 'the cancel');
    expect(r.engine.orders.get('xev-1')!.cumQty).toBeCloseTo(0.75, 12);
    expect(r.sim.engine.open('BTCUSDT')).toEqual([]);
  });

  it('venue rejects (insufficient balance, lot size) become rejected orders with the reason, and nothing is booked', async () => {
    r = await rig();
    await start(r);
    await warm(r);
    r.engine.submit('buy', 'market', 1_000_000);
    r.engine.submit('buy', 'market', 0.000001);
    await until(() => r!.engine.orders.all().every((o) => o.state === 'rejected'), 'both rejects');
    const [a, b] = r.engine.orders.all();
    expect(a.reason).toMatch(/insufficient balance/);
    expect(b.reason).toMatch(/LOT_SIZE/);
    expect(r.engine.positions.get('BTCUSDT').qty).toBe(0);
  });

  it('the kill switch halts trading and cancels every open order at the venue', async () => {
    r = await rig();
    await start(r);
    r.engine.submit('buy', 'limit', 1, 95);
    r.engine.submit('sell', 'limit', 0.0001, 150).valueOf();
    r.engine.submit('buy', 'limit', 1, 96);
    await until(() => r!.sim.engine.open('BTCUSDT').length === 2, 'two resting orders');
    await r.engine.kill('operator');
    expect(r.engine.state).toBe('HALTED');
    expect(r.sim.engine.open('BTCUSDT')).toEqual([]);
    expect(r.engine.orders.open()).toEqual([]);
    expect(r.engine.submit('buy', 'market', 0.1)).toBe(-1);
    const j = journalEntries(r.journal);
    expect(j.some((e) => e.t === 'risk' && e.state === 'HALTED')).toBe(true);
  });

  it('a risk refusal is journaled with its rule and never reaches the venue; the breaker state survives a restart', async () => {
    r = await rig({ risk: { maxOrderNotional: 1_000, priceBand: 0.02 } });
    await start(r);
    await warm(r);
    expect(r.engine.submit('buy', 'market', 20)).toBe(-1); // 2,000 of notional
    expect(r.engine.submit('buy', 'limit', 1, 90)).toBe(-1); // 10 % from the last trade
    expect(r.engine.submit('buy', 'limit', 1, 99)).toBe(1);
    await r.engine.idle();
    expect(r.sim.stats.ordersPlaced).toBe(1);
    const rejected = journalEntries(r.journal).filter((e) => e.t === 'event' && e.what === 'risk-rejected').map((e) => (e as { detail: string }).detail);
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toMatch(/max-order-notional/);
    expect(rejected[1]).toMatch(/price-band/);
    await r.engine.kill('end of test');
    expect(journalEntries(r.journal).some((e) => e.t === 'risk' && e.state === 'HALTED')).toBe(true);
    const again = new LiveEngine({ venue: r.adapter, strategy: scripted, symbol: 'BTCUSDT', journal: r.journal, fsync: 'never' });
    expect(again.state).toBe('HALTED');
    again.journal.close();
  });
});
