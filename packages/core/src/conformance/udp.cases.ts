import assert from 'node:assert/strict';
import { Addr, OpCode, SockType } from '../backend/layout.js';
import { decodeAddress, encodeAddress } from '../backend/address.js';
import { Completion } from '../completion.js';
import { ECANCELED } from '../errors.js';
import type { Loop } from '../loop.js';
import type { CaseContext, ConformanceGroup } from './context.js';
import { assertOk, op, closeLater } from './helpers.js';

/** A UDP socket bound to an ephemeral loopback port. */
function udp(t: CaseContext, loop: Loop): { handle: number; address: Uint8Array; port: number } {
  const handle = loop.backend.socket(4, SockType.dgram);
  assertOk(handle, 'socket');
  closeLater(t, loop, handle);
  assertOk(loop.backend.bind(handle, encodeAddress('127.0.0.1', 0)), 'bind');
  return { handle, address: encodeAddress('127.0.0.1', 0), port: 0 };
}

/** The bound address of a UDP socket, once the backend has bound it. */
async function boundAddress(t: CaseContext, loop: Loop, handle: number): Promise<Uint8Array> {
  const out = new Uint8Array(Addr.size);
  for (let i = 0; i < 100; i++) {
    if (loop.backend.sockname(handle, false, out) === 0 && decodeAddress(out).port !== 0) return out;
    // The portable backend binds on Node's loop: give it a turn.
    await new Promise((r) => setTimeout(r, 5));
  }
  return t.skip('the socket never reported a bound port');
}

export const udpCases: ConformanceGroup = {
  name: 'UDP sockets',
  cases: [
    {
      name: 'sendto and recvfrom round trip with the peer address',
      async run(t) {
        const loop = t.loop();
        const a = udp(t, loop);
        const b = udp(t, loop);
        const aAddr = await boundAddress(t, loop, a.handle);
        const bAddr = await boundAddress(t, loop, b.handle);
        const from = new Uint8Array(Addr.size);
        const buf = new Uint8Array(64);
        const r = op(loop, OpCode.recvfrom, b.handle, buf, from);
        const s = op(loop, OpCode.sendto, a.handle, new TextEncoder().encode('datagram'), bAddr);
        await t.run(loop);
        assert.equal(s.result, 8);
        assert.equal(r.result, 8);
        assert.equal(new TextDecoder().decode(buf.subarray(0, 8)), 'datagram');
        assert.equal(decodeAddress(from).port, decodeAddress(aAddr).port, 'the sender address is reported');
        // And back to the reported address.
        const back = op(loop, OpCode.sendto, b.handle, new TextEncoder().encode('reply'), from);
        const got = op(loop, OpCode.recvfrom, a.handle, buf, new Uint8Array(Addr.size));
        await t.run(loop);
        assert.equal(back.result, 5);
        assert.equal(got.result, 5);
      },
    },
    {
      name: '100 concurrent sends on one socket all arrive (none dropped on loopback)',
      async run(t) {
        const loop = t.loop();
        const a = udp(t, loop);
        const b = udp(t, loop);
        const bAddr = await boundAddress(t, loop, b.handle);
        const seen = new Set<number>();
        const buf = new Uint8Array(8);
        const recv = new Completion();
        recv.prep(OpCode.recvfrom, b.handle, buf, new Uint8Array(Addr.size)).setCallback((_u, l, c, r) => {
          assert.equal(r, 4);
          seen.add(new DataView(buf.buffer).getUint32(0));
          if (seen.size < 100) l.add(c);
        });
        loop.add(recv);
        const sends = Array.from({ length: 100 }, (_, i) => {
          const payload = new Uint8Array(4);
          new DataView(payload.buffer).setUint32(0, i);
          return op(loop, OpCode.sendto, a.handle, payload, bAddr);
        });
        await t.run(loop);
        assert.ok(sends.every((s) => s.result === 4), 'every send completed');
        assert.equal(seen.size, 100);
      },
    },
    {
      name: 'rule 5: cancelling a pending recvfrom gives ECANCELED',
      async run(t) {
        const loop = t.loop();
        const a = udp(t, loop);
        await boundAddress(t, loop, a.handle);
        const c = new Completion();
        let recvResult = 1;
        let cancelResult = 1;
        loop.add(c.prep(OpCode.recvfrom, a.handle, new Uint8Array(8), new Uint8Array(Addr.size)).setCallback((_u, _l, _c, r) => void (recvResult = r)));
        await t.run(loop, 'no_wait');
        loop.add(new Completion().prepCancel(c).setCallback((_u, _l, _c, r) => void (cancelResult = r)));
        await t.run(loop);
        assert.equal(recvResult, ECANCELED);
        assert.equal(cancelResult, 0);
      },
    },
  ],
};
