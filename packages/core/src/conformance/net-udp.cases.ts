import assert from 'node:assert/strict';
import { Addr, OpCode, SockType } from '../backend/layout.js';
import { decodeAddress, encodeAddress } from '../backend/address.js';
import { Completion } from '../completion.js';
import type { Loop } from '../loop.js';
import type { CaseContext, ConformanceGroup } from './context.js';
import { assertOk, op, closeLater } from './helpers.js';

/** A UDP socket bound to loopback of `family`, and its bound address once the backend reports it. */
async function bound(t: CaseContext, loop: Loop, family: 4 | 6): Promise<{ handle: number; address: Uint8Array } | null> {
  const handle = loop.backend.socket(family, SockType.dgram);
  if (handle < 0) return null;
  closeLater(t, loop, handle);
  if (loop.backend.bind(handle, encodeAddress(family === 6 ? '::1' : '127.0.0.1', 0)) < 0) return null;
  const address = new Uint8Array(Addr.size);
  for (let i = 0; i < 200; i++) {
    if (loop.backend.sockname(handle, false, address) === 0 && decodeAddress(address).port !== 0) return { handle, address };
    await new Promise((r) => setTimeout(r, 5)); // the portable backend binds on Node's loop
  }
  return null;
}

/** UDP behaviour `@xev/net`'s UDP watcher relies on. */
export const netUdpCases: ConformanceGroup = {
  name: 'UDP sockets (@xev/net)',
  cases: [
    {
      name: 'IPv6 loopback: recvfrom reports the v6 sender, and a reply to it arrives',
      async run(t) {
        const loop = t.loop();
        const a = await bound(t, loop, 6);
        const b = a && (await bound(t, loop, 6));
        if (!a || !b) return t.skip('no IPv6 loopback on this machine');
        const from = new Uint8Array(Addr.size);
        const buf = new Uint8Array(16);
        const r = op(loop, OpCode.recvfrom, b.handle, buf, from);
        const s = op(loop, OpCode.sendto, a.handle, new TextEncoder().encode('v6!'), b.address);
        await t.run(loop);
        assert.equal(s.result, 3);
        assert.equal(r.result, 3);
        assert.deepEqual(decodeAddress(from), decodeAddress(a.address));
        const back = op(loop, OpCode.recvfrom, a.handle, buf, new Uint8Array(Addr.size));
        op(loop, OpCode.sendto, b.handle, new TextEncoder().encode('ok'), from);
        await t.run(loop);
        assert.equal(back.result, 2);
      },
    },
    {
      name: '16 receives outstanding on one socket: 16 datagrams, each delivered to exactly one receive, none lost',
      async run(t) {
        const loop = t.loop();
        const a = await bound(t, loop, 4);
        const b = await bound(t, loop, 4);
        assert.ok(a && b, 'two bound sockets');
        const receives = Array.from({ length: 16 }, () => {
          const buf = new Uint8Array(8);
          return { buf, outcome: op(loop, OpCode.recvfrom, b.handle, buf, new Uint8Array(Addr.size)) };
        });
        await t.run(loop, 'no_wait');
        const sends = Array.from({ length: 16 }, (_, i) => op(loop, OpCode.sendto, a.handle, new Uint8Array([i]), b.address));
        await t.run(loop);
        assert.ok(sends.every((s) => s.result === 1), 'every send completed');
        assert.ok(receives.every((r) => r.outcome.result === 1), 'every receive got one datagram');
        assert.deepEqual(receives.map((r) => r.buf[0]).sort((x, y) => x - y), Array.from({ length: 16 }, (_, i) => i));
      },
    },
    {
      name: 'closing a UDP socket completes its pending recvfrom with ECANCELED before the close',
      async run(t) {
        const loop = t.loop();
        const handle = loop.backend.socket(4, SockType.dgram);
        assertOk(handle, 'socket');
        assertOk(loop.backend.bind(handle, encodeAddress('127.0.0.1', 0)), 'bind');
        const r = op(loop, OpCode.recvfrom, handle, new Uint8Array(8), new Uint8Array(Addr.size));
        await t.run(loop, 'no_wait');
        const closed = op(loop, OpCode.close, handle);
        await t.run(loop);
        assert.equal(closed.result, 0);
        assert.ok(r.result < 0 && r.order < closed.order, 'the receive was cancelled first');
      },
    },
  ],
};
