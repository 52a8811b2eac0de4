import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/live/journal.js';
import { tempDir } from './helpers.js';

const spec = { clientOrderId: 'x-1', symbol: 'BTCUSDT', side: 'buy' as const, type: 'market' as const, qty: 1 };

describe('journal', () => {
  for (const fsync of ['always', 'interval', 'never'] as const) {
    it(`replays orders, fills and positions (fsync ${fsync}); sequence numbers continue after reopening`, () => {
      const path = join(tempDir(), 'j.jsonl');
      const j = new Journal(path, { fsync });
      j.append({ t: 'order', spec, id: 1 });
      j.append({ t: 'update', u: { clientOrderId: 'x-1', symbol: 'BTCUSDT', status: 'partially-filled', cumQty: 0.4, cumQuote: 40, source: 'stream' } });
      j.append({ t: 'update', u: { clientOrderId: 'x-1', symbol: 'BTCUSDT', status: 'partially-filled', cumQty: 0.4, cumQuote: 40, source: 'reconcile' } });
      j.append({ t: 'risk', state: 'REDUCING', reason: 'test' });
      j.close();
      const r = Journal.replay(path);
      expect(r.orders.get('x-1')!.state).toBe('partially-filled');
      expect(r.positions.get('BTCUSDT').qty).toBeCloseTo(0.4, 12);
      expect(r.riskState).toBe('REDUCING');
      const again = new Journal(path, { fsync });
      expect(again.append({ t: 'event', what: 'x' }).seq).toBe(5);
      again.close();
    });
  }

  it('a torn last line (crash mid-write) is skipped and reported; a bad line in the middle is an error', () => {
    const path = join(tempDir(), 'j.jsonl');
    const j = new Journal(path, { fsync: 'never' });
    j.append({ t: 'order', spec, id: 1 });
    j.close();
    appendFileSync(path, '{"seq":2,"at":1,"t":"upd');
    const r = Journal.replay(path);
    expect(r.tornTail).toBe('{"seq":2,"at":1,"t":"upd');
    expect(r.orders.get('x-1')!.state).toBe('new');
    appendFileSync(path, '\n{"seq":3,"at":1,"t":"event","what":"x"}\n');
    expect(() => Journal.replay(path)).toThrow(/line 2 is not JSON/);
    expect(readFileSync(path, 'utf8').split('\n').length).toBe(4);
  });
});
