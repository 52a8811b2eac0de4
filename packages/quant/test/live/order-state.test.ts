import { describe, expect, it } from 'vitest';
import { OrderBook, OrderStateError } from '../../src/live/order-state.js';
import type { OrderUpdate } from '../../src/live/types.js';

const spec = { clientOrderId: 'a', symbol: 'BTCUSDT', side: 'buy' as const, type: 'limit' as const, qty: 2, price: 100 };
const up = (status: OrderUpdate['status'], cumQty: number, cumQuote: number, source: OrderUpdate['source'] = 'stream'): OrderUpdate => ({ clientOrderId: 'a', symbol: 'BTCUSDT', status, cumQty, cumQuote, source });

describe('order state machine', () => {
  it('walks new → acknowledged → partially-filled → filled, deriving each fill from cumulative quantities', () => {
    const b = new OrderBook();
    b.add(spec);
    expect(b.apply(up('new', 0, 0)).order.state).toBe('acknowledged');
    const r1 = b.apply(up('partially-filled', 0.5, 49.5));
    expect(r1.fill).toEqual({ clientOrderId: 'a', symbol: 'BTCUSDT', qty: 0.5, price: 99, fee: 0 });
    const r2 = b.apply(up('filled', 2, 199.5));
    expect(r2.fill!.qty).toBeCloseTo(1.5, 12);
    expect(r2.fill!.price).toBeCloseTo(150 / 1.5, 12);
    expect(r2.order.state).toBe('filled');
  });

  it('a repeated or stale update books nothing (stream and REST racing, reconciliation after a reconnect)', () => {
    const b = new OrderBook();
    b.add(spec);
    b.apply(up('partially-filled', 1, 100));
    expect(b.apply(up('partially-filled', 1, 100)).changed).toBe(false);
    expect(b.apply(up('new', 0, 0, 'rest')).changed).toBe(false);
    b.apply(up('filled', 2, 200));
    expect(b.apply(up('partially-filled', 1, 100, 'reconcile')).changed).toBe(false);
    expect(b.get('a')!.cumQty).toBe(2);
  });

  it('fills may come before the acknowledgement; a late acknowledgement is ignored', () => {
    const b = new OrderBook();
    b.add(spec);
    b.apply(up('filled', 2, 200));
    expect(b.apply(up('new', 0, 0, 'rest')).changed).toBe(false);
    expect(b.get('a')!.state).toBe('filled');
  });

  it('contradictions throw: a cancelled order cannot fill more, a rejected one cannot be acknowledged into fills, unknown ids are refused', () => {
    const b = new OrderBook();
    b.add(spec);
    b.apply(up('cancelled', 0, 0));
    expect(() => b.apply(up('filled', 0, 0))).toThrow(OrderStateError);
    expect(() => b.apply({ ...up('new', 0, 0), clientOrderId: 'zzz' })).toThrow(/unknown client order id/);
    expect(() => b.add(spec)).toThrow(/duplicate client order id/);
  });

  it('rejected and expired are terminal', () => {
    const b = new OrderBook();
    b.add(spec);
    b.add({ ...spec, clientOrderId: 'b' });
    b.apply(up('rejected', 0, 0));
    b.apply({ ...up('expired', 0, 0), clientOrderId: 'b' });
    expect(b.open()).toEqual([]);
  });
});
