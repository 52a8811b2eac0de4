import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackAction, Completion, Loop } from '@xev/core';
import { PooledReader, ReadPool, TCP } from '../src/index.js';
import { usableBackends } from './backends.js';

async function drain(loop: Loop, mode: 'no_wait' | 'until_done' = 'until_done'): Promise<void> {
  if (loop.mode === 'blocking') loop.runBlocking(mode);
  else await loop.run(mode);
  // An attached loop hears from its backend through Node's event loop: give it a turn between passes.
  if (mode === 'no_wait' && loop.mode === 'attached') await new Promise((r) => setTimeout(r, 1));
}

for (const { name, modes } of usableBackends()) {
  for (const mode of modes) {
    describe(`pooled reads: ${name} (${mode})`, () => {
      let loop: Loop;
      beforeEach(() => void (loop = new Loop({ backend: name, mode: mode as 'attached' | 'blocking' })));
      afterEach(() => {
        expect(loop.activeCount).toBe(0);
        loop.close();
      });

      it('100 idle connections hold no read buffer; data borrows one only for its callback; EOF ends', async () => {
        const listener = TCP.create(loop);
        listener.bind('127.0.0.1', 0);
        listener.listen(256);
        const port = listener.localAddress().port;
        const servers: TCP[] = [];
        listener.accept(new Completion(), null, (_u, l, _c, r) => {
          servers.push(new TCP(l, r));
          return servers.length < 100 ? CallbackAction.rearm : CallbackAction.disarm;
        });
        const clients = Array.from({ length: 100 }, () => {
          const c = TCP.create(loop);
          c.connect(new Completion(), '127.0.0.1', port, null, () => {});
          return c;
        });
        await drain(loop);
        const pool = new ReadPool(4096);
        const got = new Map<number, string>();
        let eofs = 0;
        let inUseDuringCallback = 0;
        const readers = servers.map((tcp, i) => {
          const reader = new PooledReader(tcp, pool, i, (index, _l, data, result) => {
            if (result === 0) {
              eofs++;
              return CallbackAction.disarm;
            }
            expect(result).toBeGreaterThan(0);
            inUseDuringCallback = Math.max(inUseDuringCallback, pool.inUse);
            got.set(index, (got.get(index) ?? '') + Buffer.from(data!).toString());
            return CallbackAction.rearm;
          });
          reader.start();
          return reader;
        });
        await drain(loop, 'no_wait');
        expect(pool.allocated).toBe(0); // idle: no buffer anywhere
        // Five connections speak.
        for (const i of [3, 17, 42, 64, 99]) {
          clients[i].write(new Completion(), Buffer.from(`msg${i}`), null, () => {});
        }
        const deadline = Date.now() + 5000;
        while (got.size < 5 && Date.now() < deadline) await drain(loop, 'no_wait');
        expect([...got.values()].sort()).toEqual(['msg17', 'msg3', 'msg42', 'msg64', 'msg99']);
        expect(inUseDuringCallback).toBeGreaterThan(0);
        expect(pool.inUse).toBe(0); // every buffer went back after its callback
        expect(pool.allocated).toBeLessThanOrEqual(5);
        // Half stop reading without a callback; the other half see EOF when their clients close.
        readers.slice(0, 50).forEach((r) => r.stop());
        for (const c of clients.slice(50)) c.shutdown(new Completion(), 'write', null, () => {});
        while (eofs < 50 && Date.now() < deadline + 5000) await drain(loop, 'no_wait');
        expect(eofs).toBe(50);
        await drain(loop);
        expect(readers.every((r) => !r.active)).toBe(true);
        for (const s of [...servers, ...clients, listener]) s.close(new Completion(), null, () => {});
        await drain(loop);
      });
    });
  }
}
