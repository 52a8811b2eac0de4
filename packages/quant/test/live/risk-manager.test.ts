import { describe, expect, it } from 'vitest';
import { PositionTracker } from '../../src/live/position-tracker.js';
import { RiskManager, RiskRejection, type RiskLimits } from '../../src/live/risk-manager.js';
import type { OrderSpec } from '../../src/live/types.js';

const buy = (qty: number, price?: number): OrderSpec => ({ clientOrderId: 'c', symbol: 'BTCUSDT', side: 'buy', type: price ? 'limit' : 'market', qty, ...(price ? { price } : {}) });
const sell = (qty: number): OrderSpec => ({ clientOrderId: 'c', symbol: 'BTCUSDT', side: 'sell', type: 'market', qty });

function setup(limits: RiskLimits, clock = { t: 1_700_000_000_000 }) {
  const pos = new PositionTracker();
  pos.mark('BTCUSDT', 100);
  pos.mark('ETHUSDT', 10);
  const risk = new RiskManager(limits, pos, () => clock.t);
  return { pos, risk, clock };
}

function rule(f: () => void): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof RiskRejection) return e.rule;
    throw e;
  }
}

const none = () => 0;

describe('risk manager: every rule refuses what breaks it and passes what does not', () => {
  it('max order quantity', () => {
    const { risk } = setup({ maxOrderQty: 2 });
    expect(rule(() => risk.check(buy(2), none))).toBeUndefined();
    expect(rule(() => risk.check(buy(2.01), none))).toBe('max-order-qty');
  });

  it('max order notional, valued at the limit price or the last trade', () => {
    const { risk } = setup({ maxOrderNotional: 1000 });
    expect(rule(() => risk.check(buy(10), none))).toBeUndefined();
    expect(rule(() => risk.check(buy(10.5), none))).toBe('max-order-notional');
    expect(rule(() => risk.check(buy(10, 101), none))).toBe('max-order-notional');
  });

  it('max position per symbol counts the position and other open orders; reducing orders pass', () => {
    const { risk, pos } = setup({ maxPosition: 5 });
    pos.fill('BTCUSDT', 3, 100);
    expect(rule(() => risk.check(buy(2), none))).toBeUndefined();
    expect(rule(() => risk.check(buy(2), () => 1))).toBe('max-position');
    expect(rule(() => risk.check(buy(2.5), none))).toBe('max-position');
    expect(rule(() => risk.check(sell(3), () => 10))).toBeUndefined();
  });

  it('max gross exposure across symbols', () => {
    const { risk, pos } = setup({ maxGrossExposure: 1000 });
    pos.fill('ETHUSDT', 50, 10); // 500 of exposure elsewhere
    expect(rule(() => risk.check(buy(5), none))).toBeUndefined();
    expect(rule(() => risk.check(buy(5.1), none))).toBe('max-gross-exposure');
  });

  it('price band around the last trade', () => {
    const { risk } = setup({ priceBand: 0.05 });
    expect(rule(() => risk.check(buy(1, 95), none))).toBeUndefined();
    expect(rule(() => risk.check(buy(1, 94.9), none))).toBe('price-band');
    expect(rule(() => risk.check(buy(1, 105.1), none))).toBe('price-band');
  });

  it('no last trade: an order cannot be valued', () => {
    const { risk } = setup({});
    expect(rule(() => risk.check({ ...buy(1), symbol: 'XRPUSDT' }, none))).toBe('no-price');
  });

  it('order-rate throttle over a sliding window', () => {
    const { risk, clock } = setup({ orderRate: { count: 3, perMs: 1000 } });
    for (let i = 0; i < 3; i++) expect(rule(() => risk.check(buy(1), none))).toBeUndefined();
    expect(rule(() => risk.check(buy(1), none))).toBe('order-rate');
    clock.t += 1000;
    expect(rule(() => risk.check(buy(1), none))).toBeUndefined();
  });

  it('daily-loss breaker halts; it resets with the UTC day only for the next breach', () => {
    const { risk, pos } = setup({ maxDailyLoss: 50 });
    const states: string[] = [];
    risk.onState = (s) => states.push(s);
    pos.fill('BTCUSDT', 10, 100);
    risk.evaluate();
    pos.mark('BTCUSDT', 95.1); // −49
    risk.evaluate();
    expect(risk.state).toBe('ACTIVE');
    pos.mark('BTCUSDT', 94.9); // −51
    risk.evaluate();
    expect(risk.state).toBe('HALTED');
    expect(states).toEqual(['HALTED']);
    expect(rule(() => risk.check(sell(1), none))).toBe('state');
  });

  it('max-drawdown breaker moves to REDUCING: only position-shrinking orders pass', () => {
    const { risk, pos } = setup({ maxDrawdown: 20 });
    pos.fill('BTCUSDT', 10, 100);
    pos.mark('BTCUSDT', 110); // peak +100
    risk.evaluate();
    pos.mark('BTCUSDT', 107.9); // +79: 21 below the peak
    risk.evaluate();
    expect(risk.state).toBe('REDUCING');
    expect(rule(() => risk.check(buy(1), none))).toBe('state');
    expect(rule(() => risk.check(sell(4), none))).toBeUndefined();
    expect(rule(() => risk.check(sell(11), none))).toBe('state'); // would reverse, not reduce
  });

  it('the kill switch halts everything, reducing orders included', () => {
    const { risk, pos } = setup({});
    pos.fill('BTCUSDT', 1, 100);
    risk.kill('test');
    expect(risk.state).toBe('HALTED');
    expect(rule(() => risk.check(sell(1), none))).toBe('state');
  });
});
