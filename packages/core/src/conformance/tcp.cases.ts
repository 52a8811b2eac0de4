import assert from 'node:assert/strict';
import { Addr, OpCode, PollEvent, ShutdownHow, SockOpt, SockType } from '../backend/layout.js';
import { decodeAddress, encodeAddress } from '../backend/address.js';
import { Completion } from '../completion.js';
import { ECANCELED } from '../errors.js';
import type { ConformanceGroup } from './context.js';
import { assertErrno, assertOk, listenTcp, op, pattern, recvExactly, sendAll, tcpPair, closeLater } from './helpers.js';

export const tcpCases: ConformanceGroup = {
  name: 'TCP sockets',
  cases: [
    {
      name: 'accept and connect on loopback; both ends know their addresses',
      async run(t) {
        const loop = t.loop();
        const listener = listenTcp(t, loop);
        const client = loop.backend.socket(4, SockType.stream);
        assertOk(client);
        closeLater(t, loop, client);
        const peer = new Uint8Array(Addr.size);
        const accepted = op(loop, OpCode.accept, listener.handle, null, peer);
        const connected = op(loop, OpCode.connect, client, null, listener.address);
        await t.run(loop);
        assertOk(accepted.result, 'accept');
        closeLater(t, loop, accepted.result);
        assert.equal(connected.result, 0);
        const local = new Uint8Array(Addr.size);
        assertOk(loop.backend.sockname(client, false, local));
        const remote = new Uint8Array(Addr.size);
        assertOk(loop.backend.sockname(client, true, remote));
        assert.equal(decodeAddress(remote).port, listener.port);
        assert.equal(decodeAddress(peer).port, decodeAddress(local).port, "accept's peer address is the client's local address");
        assert.equal(decodeAddress(peer).address, '127.0.0.1');
      },
    },
    {
      name: 'send and recv carry bytes exactly, in both directions',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        const ping = pattern(1000, 3);
        await sendAll(t, loop, client, ping);
        assert.deepEqual(await recvExactly(t, loop, server, 1000), ping);
        const pong = pattern(777, 4);
        await sendAll(t, loop, server, pong);
        assert.deepEqual(await recvExactly(t, loop, client, 777), pong);
      },
    },
    {
      name: '256 KiB stream arrives byte-exact while sending and receiving concurrently',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        const data = pattern(256 * 1024, 9);
        const out = new Uint8Array(data.byteLength);
        let sent = 0;
        let received = 0;
        const sender = new Completion();
        const receiver = new Completion();
        sender.prep(OpCode.send, client, data).setCallback((_u, l, c, r) => {
          assertOk(r, 'send');
          sent += r;
          if (sent < data.byteLength) l.add(c.prep(OpCode.send, client, data.subarray(sent)));
        });
        receiver.prep(OpCode.recv, server, out).setCallback((_u, l, c, r) => {
          assertOk(r, 'recv');
          assert.ok(r > 0, 'no early EOF');
          received += r;
          if (received < data.byteLength) l.add(c.prep(OpCode.recv, server, out.subarray(received)));
        });
        loop.add(sender);
        loop.add(receiver);
        await t.run(loop);
        assert.equal(received, data.byteLength);
        assert.ok(Buffer.from(out).equals(Buffer.from(data)));
      },
    },
    {
      name: 'rule 8: two reads and two writes outstanding on one socket all complete',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        const a = new Uint8Array(4);
        const b = new Uint8Array(4);
        const r1 = op(loop, OpCode.recv, server, a);
        const r2 = op(loop, OpCode.recv, server, b);
        const w1 = op(loop, OpCode.send, client, new TextEncoder().encode('abcd'));
        const w2 = op(loop, OpCode.send, client, new TextEncoder().encode('efgh'));
        await t.run(loop);
        assert.equal(w1.result, 4);
        assert.equal(w2.result, 4);
        assert.equal(r1.result + r2.result, 8, 'both reads completed');
        const got = new TextDecoder().decode(a.subarray(0, r1.result)) + new TextDecoder().decode(b.subarray(0, r2.result));
        assert.equal([...got].sort().join(''), 'abcdefgh', 'every byte arrived once');
      },
    },
    {
      name: 'shutdown(write) gives the peer EOF (recv returns 0)',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        const s = op(loop, OpCode.shutdown, client, null, null, ShutdownHow.write);
        const r = op(loop, OpCode.recv, server, new Uint8Array(16));
        await t.run(loop);
        assert.equal(s.result, 0);
        assert.equal(r.result, 0);
      },
    },
    {
      name: 'data sent before shutdown arrives before EOF',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        await sendAll(t, loop, client, new TextEncoder().encode('last words'));
        op(loop, OpCode.shutdown, client, null, null, ShutdownHow.write);
        await t.run(loop);
        assert.equal(new TextDecoder().decode(await recvExactly(t, loop, server, 10)), 'last words');
        const eof = op(loop, OpCode.recv, server, new Uint8Array(8));
        await t.run(loop);
        assert.equal(eof.result, 0);
      },
    },
    {
      name: 'the peer closing gives EOF to a pending recv',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        const r = op(loop, OpCode.recv, server, new Uint8Array(8));
        await t.run(loop, 'no_wait');
        op(loop, OpCode.close, client);
        await t.run(loop);
        assert.equal(r.result, 0);
      },
    },
    {
      name: 'closing a socket completes its pending recv with ECANCELED before the close',
      async run(t) {
        const loop = t.loop();
        const listener = listenTcp(t, loop);
        const client = loop.backend.socket(4, SockType.stream);
        const accepted = op(loop, OpCode.accept, listener.handle);
        op(loop, OpCode.connect, client, null, listener.address);
        await t.run(loop);
        closeLater(t, loop, accepted.result);
        const r1 = op(loop, OpCode.recv, client, new Uint8Array(8));
        const r2 = op(loop, OpCode.recv, client, new Uint8Array(8));
        await t.run(loop, 'no_wait');
        const closed = op(loop, OpCode.close, client);
        await t.run(loop);
        assert.equal(r1.result, ECANCELED);
        assert.equal(r2.result, ECANCELED);
        assert.equal(closed.result, 0);
        assert.ok(r1.order < closed.order && r2.order < closed.order, 'the reads completed before the close');
      },
    },
    {
      name: 'closing a listener completes its pending accept with ECANCELED',
      async run(t) {
        const loop = t.loop();
        const backend = loop.backend;
        const handle = backend.socket(4, SockType.stream);
        assertOk(backend.bind(handle, encodeAddress('127.0.0.1', 0)));
        assertOk(backend.listen(handle, 16));
        const a = op(loop, OpCode.accept, handle);
        await t.run(loop, 'no_wait');
        const closed = op(loop, OpCode.close, handle);
        await t.run(loop);
        assert.equal(a.result, ECANCELED);
        assert.equal(closed.result, 0);
        assert.ok(a.order < closed.order);
      },
    },
    {
      name: 'rule 5: cancelling a pending accept gives ECANCELED and the cancel 0',
      async run(t) {
        const loop = t.loop();
        const listener = listenTcp(t, loop);
        const c = new Completion();
        let acceptResult = 1;
        let cancelResult = 1;
        loop.add(c.prep(OpCode.accept, listener.handle).setCallback((_u, _l, _c, r) => void (acceptResult = r)));
        await t.run(loop, 'no_wait');
        loop.add(new Completion().prepCancel(c).setCallback((_u, _l, _c, r) => void (cancelResult = r)));
        await t.run(loop);
        assert.equal(acceptResult, ECANCELED);
        assert.equal(cancelResult, 0);
      },
    },
    {
      name: 'rule 5: cancelling a pending recv gives ECANCELED; the socket still works',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        const c = new Completion();
        let recvResult = 1;
        let cancelResult = 1;
        loop.add(c.prep(OpCode.recv, server, new Uint8Array(8)).setCallback((_u, _l, _c, r) => void (recvResult = r)));
        await t.run(loop, 'no_wait');
        loop.add(new Completion().prepCancel(c).setCallback((_u, _l, _c, r) => void (cancelResult = r)));
        await t.run(loop);
        assert.equal(recvResult, ECANCELED);
        assert.equal(cancelResult, 0);
        await sendAll(t, loop, client, new TextEncoder().encode('still'));
        assert.equal(new TextDecoder().decode(await recvExactly(t, loop, server, 5)), 'still');
      },
    },
    {
      name: 'rule 5: cancelling a recv that already completed gives the cancel ENOENT',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        await sendAll(t, loop, client, new TextEncoder().encode('x'));
        const c = new Completion();
        loop.add(c.prep(OpCode.recv, server, new Uint8Array(8)).setCallback(() => {}));
        await t.run(loop);
        assert.equal(c.result, 1);
        let cancelResult = 1;
        loop.add(new Completion().prepCancel(c).setCallback((_u, _l, _c, r) => void (cancelResult = r)));
        await t.run(loop);
        assertErrno(cancelResult, 'ENOENT');
      },
    },
    {
      name: 'connecting to a port nobody listens on gives ECONNREFUSED',
      async run(t) {
        const loop = t.loop();
        const listener = listenTcp(t, loop);
        // Close the listener so its port is known to be unused.
        const closed = op(loop, OpCode.close, listener.handle);
        await t.run(loop);
        assert.equal(closed.result, 0);
        const client = loop.backend.socket(4, SockType.stream);
        closeLater(t, loop, client);
        const c = op(loop, OpCode.connect, client, null, listener.address);
        await t.run(loop);
        assertErrno(c.result, 'ECONNREFUSED', 'connect');
      },
    },
    {
      name: 'poll reports readable once data arrives, and writable on a connected socket',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        const writable = op(loop, OpCode.poll, client, null, null, PollEvent.writable);
        const readable = op(loop, OpCode.poll, server, null, null, PollEvent.readable);
        await t.run(loop, 'once');
        await sendAll(t, loop, client, new TextEncoder().encode('!'));
        await t.run(loop);
        assert.ok(writable.result & PollEvent.writable, 'writable');
        assert.ok(readable.result & PollEvent.readable, 'readable');
        assert.equal(new TextDecoder().decode(await recvExactly(t, loop, server, 1)), '!', 'poll consumed nothing');
      },
    },
    {
      name: 'socket options: no-delay and keep-alive can be set',
      async run(t) {
        const loop = t.loop();
        const { client } = await tcpPair(t, loop);
        assert.equal(loop.backend.setsockopt(client, SockOpt.noDelay, 1), 0);
        assert.equal(loop.backend.setsockopt(client, SockOpt.keepAlive, 1), 0);
        assert.ok(loop.backend.setsockopt(client, 9999, 1) < 0, 'an unknown option fails');
      },
    },
    {
      name: '20 clients connect to one listener and each is accepted once',
      async run(t) {
        const loop = t.loop();
        const listener = listenTcp(t, loop);
        const accepts = Array.from({ length: 20 }, () => op(loop, OpCode.accept, listener.handle));
        const clients = Array.from({ length: 20 }, () => {
          const h = loop.backend.socket(4, SockType.stream);
          closeLater(t, loop, h);
          return op(loop, OpCode.connect, h, null, listener.address);
        });
        await t.run(loop);
        assert.ok(clients.every((c) => c.result === 0), 'every connect succeeded');
        const handles = new Set(accepts.map((a) => a.result));
        assert.equal(handles.size, 20);
        for (const h of handles) {
          assertOk(h, 'accept');
          closeLater(t, loop, h);
        }
      },
    },
    {
      name: 'IPv6 loopback: connect and exchange bytes over ::1',
      async run(t) {
        const loop = t.loop();
        let listener: ReturnType<typeof listenTcp>;
        try {
          listener = listenTcp(t, loop, 6);
        } catch {
          return t.skip('no IPv6 loopback on this machine');
        }
        const client = loop.backend.socket(6, SockType.stream);
        closeLater(t, loop, client);
        const accepted = op(loop, OpCode.accept, listener.handle);
        const connected = op(loop, OpCode.connect, client, null, listener.address);
        await t.run(loop);
        assert.equal(connected.result, 0);
        closeLater(t, loop, accepted.result);
        await sendAll(t, loop, client, new TextEncoder().encode('v6'));
        assert.equal(new TextDecoder().decode(await recvExactly(t, loop, accepted.result, 2)), 'v6');
      },
    },
  ],
};
