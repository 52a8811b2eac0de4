import { decodeAddress, encodeAddress, PollEvent, ShutdownHow, SockOpt, SockType } from '@xev/core';
import net from 'node:net';
import { constants } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoLeakedDescriptors } from './leaks.js';
import { OpCode, Ring } from './ring.js';

expectNoLeakedDescriptors();

const E = constants.errno;

/** A listening TCP socket on the backend, on an ephemeral loopback port. */
function listen(ring: Ring, family: 4 | 6 = 4): { fd: number; port: number } {
  const fd = ring.backend.socket(family, SockType.stream);
  expect(fd).toBeGreaterThanOrEqual(0);
  expect(ring.backend.setsockopt(fd, SockOpt.reuseAddr, 1)).toBe(0);
  expect(ring.backend.bind(fd, encodeAddress(family === 4 ? '127.0.0.1' : '::1', 0))).toBe(0);
  expect(ring.backend.listen(fd, 128)).toBe(0);
  const out = new Uint8Array(28);
  expect(ring.backend.sockname(fd, false, out)).toBe(0);
  return { fd, port: decodeAddress(out).port };
}

/** A connected pair of backend sockets: [client, server side]. */
async function pair(ring: Ring): Promise<[number, number, number]> {
  const l = listen(ring);
  const client = ring.backend.socket(4, SockType.stream);
  const peer = new Uint8Array(28);
  const a = ring.stage(OpCode.accept, { handle: l.fd, aux: peer });
  const c = ring.stage(OpCode.connect, { handle: client, aux: encodeAddress('127.0.0.1', l.port) });
  const [accepted, connected] = await ring.wait([a, c]);
  expect(connected.result).toBe(0);
  expect(accepted.result).toBeGreaterThan(0);
  const local = new Uint8Array(28);
  ring.backend.sockname(client, false, local);
  expect(decodeAddress(peer)).toEqual(decodeAddress(local));
  return [client, accepted.result, l.fd];
}

describe('epoll connect', () => {
  it('a connection reset after its handshake, before the backend looked, still connected', async () => {
    // Attached: enter only submits, so nothing reaps the connect's edge until this test yields to libuv.
    const ring = new Ring('attached');
    try {
      const l = listen(ring);
      const s = ring.backend.socket(4, SockType.stream);
      const c = ring.stage(OpCode.connect, { handle: s, aux: encodeAddress('127.0.0.1', l.port) });
      ring.enter();
      if (!ring.done.has(c)) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // the kernel completes the handshake
        // Closing a listener resets the connections still in its accept queue.
        expect(ring.backend.closeSync(l.fd)).toBe(0);
      }
      const [connected] = await ring.wait(c);
      expect(connected.result).toBe(0);
      expect((await ring.run(OpCode.recv, { handle: s, buffer: new Uint8Array(4) })).result).toBeLessThanOrEqual(0);
      ring.backend.closeSync(s);
    } finally {
      ring.close();
    }
  });
});

for (const mode of ['blocking', 'attached'] as const) {
  describe(`epoll sockets (${mode})`, () => {
    let ring: Ring;
    afterEach(() => ring?.close());

    it('accepts, connects, sends and receives, with several reads outstanding on one socket', async () => {
      ring = new Ring(mode);
      const [client, server, listener] = await pair(ring);
      const bufs = [new Uint8Array(4), new Uint8Array(4), new Uint8Array(4)];
      const reads = bufs.map((buffer) => ring.stage(OpCode.recv, { handle: server, buffer }));
      ring.enter();
      expect(ring.done.size).toBe(0);
      const payload = Buffer.from('abcdefghijkl');
      const send = ring.stage(OpCode.send, { handle: client, buffer: payload });
      const results = await ring.wait([...reads, send]);
      expect(results.map((r) => r.result)).toEqual([4, 4, 4, 12]);
      expect(Buffer.concat(bufs).toString()).toBe('abcdefghijkl');
      for (const fd of [client, server, listener]) expect((await ring.run(OpCode.close, { handle: fd })).result).toBe(0);
    });

    it('reports EOF as 0 and a refused connection as -ECONNREFUSED', async () => {
      ring = new Ring(mode);
      const [client, server, listener] = await pair(ring);
      expect((await ring.run(OpCode.shutdown, { handle: client, arg0: ShutdownHow.write })).result).toBe(0);
      expect((await ring.run(OpCode.recv, { handle: server, buffer: new Uint8Array(8) })).result).toBe(0);
      for (const fd of [client, server, listener]) ring.backend.closeSync(fd);

      const l = listen(ring);
      ring.backend.closeSync(l.fd);
      const s = ring.backend.socket(4, SockType.stream);
      const r = await ring.run(OpCode.connect, { handle: s, aux: encodeAddress('127.0.0.1', l.port) });
      expect(r.result).toBe(-E.ECONNREFUSED);
      ring.backend.closeSync(s);
    });

    it('a read after a short read still sees the EOF that arrived with the data', async () => {
      ring = new Ring(mode);
      const [client, server, listener] = await pair(ring);
      const first = ring.stage(OpCode.recv, { handle: server, buffer: new Uint8Array(1024) });
      ring.enter();
      ring.stage(OpCode.send, { handle: client, buffer: Buffer.from('x') });
      ring.stage(OpCode.shutdown, { handle: client, arg0: ShutdownHow.write });
      ring.enter();
      await new Promise((r) => setTimeout(r, 20)); // data and FIN both arrive before the backend reaps either
      expect((await ring.wait(first))[0].result).toBe(1);
      // The short read returned the data; the FIN's edge is spent, yet this read must get the EOF.
      expect((await ring.run(OpCode.recv, { handle: server, buffer: new Uint8Array(1024) })).result).toBe(0);
      for (const fd of [client, server, listener]) ring.backend.closeSync(fd);
    });

    it('talks to a Node net server', async () => {
      ring = new Ring(mode);
      const server = net.createServer((socket) => socket.pipe(socket));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as net.AddressInfo).port;
      try {
        const fd = ring.backend.socket(4, SockType.stream);
        ring.backend.setsockopt(fd, SockOpt.noDelay, true as unknown as number);
        expect((await ring.run(OpCode.connect, { handle: fd, aux: encodeAddress('127.0.0.1', port) })).result).toBe(0);
        const buf = new Uint8Array(5);
        for (let i = 0; i < 20; i++) {
          const r = ring.stage(OpCode.recv, { handle: fd, buffer: buf });
          const s = ring.stage(OpCode.send, { handle: fd, buffer: Buffer.from(`ping${i % 10}`) });
          const [got, sent] = await ring.wait([r, s]);
          expect(sent.result).toBe(5);
          expect(got.result).toBe(5);
          expect(Buffer.from(buf).toString()).toBe(`ping${i % 10}`);
        }
        expect((await ring.run(OpCode.close, { handle: fd })).result).toBe(0);
      } finally {
        server.close();
      }
    });

    it('sends and receives datagrams with addresses, over IPv4 and IPv6', async () => {
      ring = new Ring(mode);
      for (const [family, host] of [[4, '127.0.0.1'], [6, '::1']] as const) {
        const a = ring.backend.socket(family, SockType.dgram);
        const b = ring.backend.socket(family, SockType.dgram);
        expect(ring.backend.bind(a, encodeAddress(host, 0))).toBe(0);
        expect(ring.backend.bind(b, encodeAddress(host, 0))).toBe(0);
        const aAddr = new Uint8Array(28);
        const bAddr = new Uint8Array(28);
        ring.backend.sockname(a, false, aAddr);
        ring.backend.sockname(b, false, bAddr);
        const from = new Uint8Array(28);
        const buf = new Uint8Array(16);
        const recv = ring.stage(OpCode.recvfrom, { handle: b, buffer: buf, aux: from });
        const send = ring.stage(OpCode.sendto, { handle: a, buffer: Buffer.from('hello'), aux: bAddr });
        const [got, sent] = await ring.wait([recv, send]);
        expect(sent.result).toBe(5);
        expect(got.result).toBe(5);
        expect(decodeAddress(from)).toEqual(decodeAddress(aAddr));
        ring.backend.closeSync(a);
        ring.backend.closeSync(b);
      }
    });

    it('polls for readability and writability', async () => {
      ring = new Ring(mode);
      const [client, server, listener] = await pair(ring);
      expect((await ring.run(OpCode.poll, { handle: client, arg0: PollEvent.writable })).result & PollEvent.writable).toBe(
        PollEvent.writable,
      );
      const p = ring.stage(OpCode.poll, { handle: server, arg0: PollEvent.readable });
      ring.enter();
      expect(ring.done.has(p)).toBe(false);
      const s = ring.stage(OpCode.send, { handle: client, buffer: Buffer.from('x') });
      const [polled] = await ring.wait([p, s]);
      expect(polled.result & PollEvent.readable).toBe(PollEvent.readable);
      for (const fd of [client, server, listener]) ring.backend.closeSync(fd);
    });

    it('cancels a waiting receive, and answers ENOENT for a finished one', async () => {
      ring = new Ring(mode);
      const [client, server, listener] = await pair(ring);
      const r = ring.stage(OpCode.recv, { handle: server, buffer: new Uint8Array(4) });
      ring.enter();
      const c = ring.stage(OpCode.cancel, { target: r });
      const [target, cancel] = await ring.wait([r, c]);
      expect(target.result).toBe(-E.ECANCELED);
      expect(cancel.result).toBe(0);
      expect(ring.order.slice(-2)).toEqual([r, c]);

      const n = await ring.run(OpCode.nop);
      expect(n.result).toBe(0);
      const late = await ring.run(OpCode.cancel, { target: r });
      expect(late.result).toBe(-E.ENOENT);
      for (const fd of [client, server, listener]) ring.backend.closeSync(fd);
    });

    it('close completes every pending operation with ECANCELED before its own completion', async () => {
      ring = new Ring(mode);
      const [client, server, listener] = await pair(ring);
      const r1 = ring.stage(OpCode.recv, { handle: server, buffer: new Uint8Array(4) });
      const r2 = ring.stage(OpCode.recv, { handle: server, buffer: new Uint8Array(4) });
      const p = ring.stage(OpCode.poll, { handle: server, arg0: PollEvent.readable });
      ring.enter();
      const cl = ring.stage(OpCode.close, { handle: server });
      const results = await ring.wait([r1, r2, p, cl]);
      expect(results.map((x) => x.result)).toEqual([-E.ECANCELED, -E.ECANCELED, -E.ECANCELED, 0]);
      expect(ring.order.slice(-4)).toEqual([r1, r2, p, cl]);
      // The peer sees the close.
      expect((await ring.run(OpCode.recv, { handle: client, buffer: new Uint8Array(4) })).result).toBe(0);

      // closeSync cancels too; the cancellations arrive with the next enter (or wake-up when attached).
      const r3 = ring.stage(OpCode.recv, { handle: client, buffer: new Uint8Array(4) });
      const a = ring.stage(OpCode.accept, { handle: listener });
      ring.enter();
      expect(ring.backend.closeSync(client)).toBe(0);
      expect(ring.backend.closeSync(listener)).toBe(0);
      const [x, y] = await ring.wait([r3, a]);
      expect(x.result === 0 || x.result === -E.ECANCELED).toBe(true);
      expect(y.result).toBe(-E.ECANCELED);
    });

    it('sends a large buffer partially when the peer does not read, then completes queued writes in turn', async () => {
      ring = new Ring(mode);
      const [client, server, listener] = await pair(ring);
      const big = new Uint8Array(8 << 20);
      const s1 = ring.stage(OpCode.send, { handle: client, buffer: big });
      const [first] = await ring.wait(s1);
      expect(first.result).toBeGreaterThan(0);
      expect(first.result).toBeLessThan(big.length);
      // The socket buffer is full: the next send waits until the peer reads.
      const s2 = ring.stage(OpCode.send, { handle: client, buffer: big.subarray(0, 1024) });
      ring.enter();
      expect(ring.done.has(s2)).toBe(false);
      let received = 0;
      const buf = new Uint8Array(1 << 20);
      while (!ring.done.has(s2)) {
        const r = await ring.run(OpCode.recv, { handle: server, buffer: buf });
        expect(r.result).toBeGreaterThan(0);
        received += r.result;
        ring.enter();
      }
      expect(ring.take(s2).result).toBe(1024);
      for (const fd of [client, server, listener]) ring.backend.closeSync(fd);
      expect(received).toBeGreaterThan(0);
    });
  });
}
