import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Addr, CallbackAction, Completion, Loop, PollEvent, XevUsageError, decodeAddress } from '@xev/core';
import { TCP, WriteRequest } from '../src/index.js';
import { usableBackends } from './backends.js';

async function drain(loop: Loop, mode: 'once' | 'until_done' = 'until_done'): Promise<void> {
  if (loop.mode === 'blocking') loop.runBlocking(mode);
  else await loop.run(mode);
}

/** A listener and a connected pair on loopback, through the watcher only. */
async function pair(loop: Loop, family: 4 | 6 = 4): Promise<{ listener: TCP; server: TCP; client: TCP }> {
  const listener = TCP.create(loop, family);
  listener.bind(family === 6 ? '::1' : '127.0.0.1', 0);
  listener.listen();
  const { port } = listener.localAddress();
  const client = TCP.create(loop, family);
  let accepted = -1;
  let connected = 1;
  const peer = new Uint8Array(Addr.size);
  listener.accept(new Completion(), null, (_u, _l, _c, r) => void (accepted = r), peer);
  client.connect(new Completion(), family === 6 ? '::1' : '127.0.0.1', port, null, (_u, _l, _c, r) => void (connected = r));
  await drain(loop);
  expect(connected).toBe(0);
  expect(accepted).toBeGreaterThanOrEqual(0);
  expect(decodeAddress(peer).port).toBe(client.localAddress().port);
  return { listener, server: new TCP(loop, accepted), client };
}

async function closeAll(...sockets: TCP[]): Promise<void> {
  const loop = sockets[0].loop;
  const results: number[] = [];
  for (const s of sockets) s.close(new Completion(), null, (_u, _l, _c, r) => void results.push(r));
  await drain(loop);
  expect(results).toEqual(sockets.map(() => 0));
}

for (const { name, modes } of usableBackends()) {
  for (const mode of modes) {
    describe(`TCP watcher: ${name} (${mode})`, () => {
      let loop: Loop;
      beforeEach(() => void (loop = new Loop({ backend: name, mode: mode as 'attached' | 'blocking' })));
      afterEach(() => {
        expect(loop.activeCount).toBe(0);
        loop.close();
      });

      it('connects, knows both addresses, and echoes bytes both ways; a read of 0 is EOF', async () => {
        const { listener, server, client } = await pair(loop);
        expect(client.remoteAddress()).toEqual(listener.localAddress());
        const inbox = Buffer.alloc(64);
        let got = -1;
        server.read(new Completion(), inbox, null, (_u, _l, c, r) => {
          got = r;
          expect(c.buffer).toBe(inbox);
        });
        client.write(new Completion(), Buffer.from('ping'), null, (_u, _l, _c, r) => void expect(r).toBe(4));
        await drain(loop);
        expect(inbox.subarray(0, got).toString()).toBe('ping');
        let shut = 1;
        let eof = -1;
        client.shutdown(new Completion(), 'write', null, (_u, _l, _c, r) => void (shut = r));
        server.read(new Completion(), inbox, null, (_u, _l, _c, r) => void (eof = r));
        await drain(loop);
        expect(shut).toBe(0);
        expect(eof).toBe(0);
        await closeAll(server, client, listener);
      });

      it('queueWrite keeps order and continues partial writes: 4 MiB in 64 writes arrives byte-exact', async () => {
        const { listener, server, client } = await pair(loop);
        client.setOptions({ sendBufferSize: 8192, noDelay: true });
        const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(65536, i));
        const done: number[] = [];
        chunks.forEach((chunk, i) => client.queueWrite(new WriteRequest<number>(), chunk, i, (u, _l, _r, result) => {
          expect(result).toBe(65536);
          done.push(u);
        }));
        const received = Buffer.alloc(64 * 65536);
        let at = 0;
        server.read(new Completion(), received, null, (_u, _l, c, r) => {
          expect(r).toBeGreaterThan(0);
          at += r;
          if (at === received.length) return CallbackAction.disarm;
          c.buffer = received.subarray(at);
          return CallbackAction.rearm;
        });
        await drain(loop);
        expect(done).toEqual(chunks.map((_, i) => i));
        expect(received.equals(Buffer.concat(chunks))).toBe(true);
        await closeAll(server, client, listener);
      });

      it('poll reports writable at once and readable when data arrives, consuming nothing', async () => {
        const { listener, server, client } = await pair(loop);
        let w = 0;
        let r = 0;
        client.poll(new Completion(), PollEvent.writable, null, (_u, _l, _c, res) => void (w = res));
        server.poll(new Completion(), PollEvent.readable, null, (_u, _l, _c, res) => void (r = res));
        await drain(loop, 'once');
        client.write(new Completion(), Buffer.from('!'), null, () => {});
        await drain(loop);
        expect(w & PollEvent.writable).toBeTruthy();
        expect(r & PollEvent.readable).toBeTruthy();
        await closeAll(server, client, listener);
      });

      it('socket options: no-delay, keep-alive, reuse, buffer sizes; an accept can rearm', async () => {
        const listener = TCP.create(loop);
        listener.setOptions({ reuseAddr: true, reusePort: true });
        listener.bind('127.0.0.1', 0);
        listener.listen(64);
        const accepted: number[] = [];
        listener.accept(new Completion(), null, (_u, _l, _c, r) => (accepted.push(r), accepted.length < 3 ? CallbackAction.rearm : CallbackAction.disarm));
        const clients = [0, 1, 2].map(() => {
          const c = TCP.create(loop);
          c.setOptions({ noDelay: true, keepAlive: true, recvBufferSize: 65536, sendBufferSize: 65536 });
          c.connect(new Completion(), '127.0.0.1', listener.localAddress().port, null, (_u, _l, _c, r) => void expect(r).toBe(0));
          return c;
        });
        await drain(loop);
        expect(new Set(accepted).size).toBe(3);
        await closeAll(...accepted.map((h) => new TCP(loop, h)), ...clients, listener);
      });

      it('IPv6 loopback works', async () => {
        let p: Awaited<ReturnType<typeof pair>>;
        try {
          p = await pair(loop, 6);
        } catch (error) {
          if (/EADDRNOTAVAIL|EAFNOSUPPORT/.test(String(error))) return; // no ::1 on this machine
          throw error;
        }
        expect(p.client.remoteAddress().address).toBe('::1');
        await closeAll(p.server, p.client, p.listener);
      });

      it('misuse is refused synchronously: bad handle, active completion, bad shutdown direction', async () => {
        expect(() => new TCP(loop, -1)).toThrow(XevUsageError);
        const { listener, server, client } = await pair(loop);
        const c = new Completion();
        server.read(c, Buffer.alloc(4), null, () => {});
        expect(() => server.read(c, Buffer.alloc(4), null, () => {})).toThrow(/already active/);
        expect(() => client.shutdown(new Completion(), 'sideways' as never, null, () => {})).toThrow(/shutdown direction/);
        await closeAll(server, client, listener); // the pending read completes with ECANCELED first
        expect(c.result).toBeLessThan(0);
      });
    });
  }
}
