import { decodeAddress, encodeAddress, SockType } from '@xev/core';
import dgram from 'node:dgram';
import { constants } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { OpCode, Ring } from './ring.js';

const E = constants.errno;

/**
 * kqueue-specific: one filter per descriptor and direction serves a queue of operations, and filter changes
 * ride on the next kevent call (in chunks when a tick queues more than one call carries).
 */
for (const mode of ['blocking', 'attached'] as const) {
  describe(`kqueue filters and queues (${mode})`, () => {
    let ring: Ring;
    afterEach(() => ring?.close());

    it('one read filter serves eight queued receives on one socket, in order', async () => {
      ring = new Ring(mode);
      const a = ring.backend.socket(4, SockType.dgram);
      const b = ring.backend.socket(4, SockType.dgram);
      expect(ring.backend.bind(a, encodeAddress('127.0.0.1', 0))).toBe(0);
      const addr = new Uint8Array(28);
      ring.backend.sockname(a, false, addr);
      const bufs = Array.from({ length: 8 }, () => new Uint8Array(8));
      const recvs = bufs.map((buffer) => ring.stage(OpCode.recv, { handle: a, buffer }));
      ring.enter();
      expect(ring.done.size).toBe(0);
      const sends = Array.from({ length: 8 }, (_, i) =>
        ring.stage(OpCode.sendto, { handle: b, buffer: Buffer.from(`msg${i}`), aux: addr }),
      );
      const results = await ring.wait([...recvs, ...sends]);
      expect(results.map((r) => r.result)).toEqual(Array(16).fill(4));
      // Datagrams on loopback keep their order, and so does the queue: receive i got message i.
      expect(bufs.map((buf) => Buffer.from(buf.subarray(0, 4)).toString())).toEqual(
        Array.from({ length: 8 }, (_, i) => `msg${i}`),
      );
      ring.backend.closeSync(a);
      ring.backend.closeSync(b);
    });

    it('200 sockets parking a receive in one tick (more changes than one kevent carries) all complete', async () => {
      ring = new Ring(mode, 512);
      const peer = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
      const fds: number[] = [];
      const slots: number[] = [];
      const bufs: Uint8Array[] = [];
      for (let i = 0; i < 200; i++) {
        const fd = ring.backend.socket(4, SockType.dgram);
        expect(fd).toBeGreaterThan(2);
        expect(ring.backend.bind(fd, encodeAddress('127.0.0.1', 0))).toBe(0);
        fds.push(fd);
        const buffer = new Uint8Array(16);
        bufs.push(buffer);
        slots.push(ring.stage(OpCode.recv, { handle: fd, buffer }));
      }
      ring.enter();
      expect(ring.done.size).toBe(0);
      for (let i = 0; i < 200; i++) {
        const out = new Uint8Array(28);
        ring.backend.sockname(fds[i], false, out);
        peer.send(`to ${i}`, decodeAddress(out).port, '127.0.0.1');
      }
      const results = await ring.wait(slots, 10_000);
      expect(results.every((r) => r.result > 0)).toBe(true);
      expect(bufs.every((buf, i) => Buffer.from(buf).toString().startsWith(`to ${i}`))).toBe(true);
      peer.close();
      for (const fd of fds) ring.backend.closeSync(fd);
    });

    it('closing a descriptor whose filter change is still queued drops the change and cancels its waiters', async () => {
      ring = new Ring(mode);
      const fd = ring.backend.socket(4, SockType.dgram);
      expect(ring.backend.bind(fd, encodeAddress('127.0.0.1', 0))).toBe(0);
      const recv = ring.stage(OpCode.recv, { handle: fd, buffer: new Uint8Array(8) });
      const close = ring.stage(OpCode.close, { handle: fd });
      const [r, c] = await ring.wait([recv, close]);
      expect(r.result).toBe(-E.ECANCELED);
      expect(c.result).toBe(0);
      // The number may be reused at once; the new descriptor's operations work.
      const again = ring.backend.socket(4, SockType.dgram);
      expect(ring.backend.bind(again, encodeAddress('127.0.0.1', 0))).toBe(0);
      const addr = new Uint8Array(28);
      ring.backend.sockname(again, false, addr);
      const r2 = ring.stage(OpCode.recv, { handle: again, buffer: new Uint8Array(8) });
      ring.enter();
      const s = ring.stage(OpCode.sendto, { handle: again, buffer: Buffer.from('self'), aux: addr });
      const [got] = await ring.wait([r2, s]);
      expect(got.result).toBe(4);
      ring.backend.closeSync(again);
    });
  });
}
