import assert from 'node:assert/strict';
import { OpCode, ShutdownHow, SockOpt } from '../backend/layout.js';
import { Completion } from '../completion.js';
import { ECANCELED, errnoName } from '../errors.js';
import type { ConformanceGroup } from './context.js';
import { assertOk, busyWait, op, pattern, recvExactly, sendAll, tcpPair } from './helpers.js';

/** Stream behaviour `@xev/net` builds on: ordered, continued writes; half-close; close with work pending. */
export const netStreamCases: ConformanceGroup = {
  name: 'TCP streams (@xev/net)',
  cases: [
    {
      name: 'a recv re-added from its own callback gets EOF when the peer shuts down after sending',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        let got = 0;
        let eof = false;
        const recv = new Completion();
        recv.prep(OpCode.recv, server, new Uint8Array(1024)).setCallback((_u, l, c, r) => {
          if (r === ECANCELED) return; // the clean-up below, after a missed EOF
          assertOk(r, 'recv');
          if (r === 0) eof = true;
          else {
            got += r;
            l.add(c); // the next read, issued from the callback as a stream reader does
          }
        });
        loop.add(recv);
        const send = new Completion();
        send.prep(OpCode.send, client, new TextEncoder().encode('x')).setCallback((_u, l, _c, r) => {
          assert.equal(r, 1);
          l.add(new Completion().prep(OpCode.shutdown, client, null, null, ShutdownHow.write));
        });
        loop.add(send);
        const deadline = performance.now() + 5000;
        while (!eof && performance.now() < deadline) {
          await t.run(loop, 'no_wait');
          if (t.mode === 'attached') await new Promise((r) => setTimeout(r, 5));
          else busyWait(5);
        }
        if (!eof) {
          loop.add(new Completion().prepCancel(recv));
          await t.run(loop);
        }
        assert.equal(got, 1);
        assert.ok(eof, 'the re-added recv completed with 0 (EOF) within 5 s');
      },
    },
    {
      name: 'a 1 MiB queued write through an 8 KiB SO_SNDBUF arrives byte-exact (partial sends continued in order)',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        assertOk(loop.backend.setsockopt(client, SockOpt.sendBufferSize, 8192), 'SO_SNDBUF');
        assertOk(loop.backend.setsockopt(server, SockOpt.recvBufferSize, 8192), 'SO_RCVBUF');
        const data = pattern(1 << 20, 21);
        // The queue: 16 writes of 64 KiB; only the head is in the kernel, and a short send is continued
        // with its rest before the next write starts (libxev's queueWrite).
        const chunks = Array.from({ length: 16 }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
        let chunk = 0;
        let offset = 0;
        let sends = 0;
        const sender = new Completion();
        sender.prep(OpCode.send, client, chunks[0]).setCallback((_u, l, c, r) => {
          assertOk(r, 'send');
          sends++;
          offset += r;
          if (offset === chunks[chunk].byteLength) {
            chunk++;
            offset = 0;
            if (chunk === chunks.length) return;
          }
          l.add(c.prep(OpCode.send, client, chunks[chunk].subarray(offset)));
        });
        loop.add(sender);
        const out = new Uint8Array(data.byteLength);
        let received = 0;
        const receiver = new Completion();
        receiver.prep(OpCode.recv, server, out.subarray(0, 4096)).setCallback((_u, l, c, r) => {
          assertOk(r, 'recv');
          assert.ok(r > 0, `early EOF after ${received} bytes`);
          received += r;
          // Small reads keep the receive window small, so the sender really sees short sends.
          if (received < out.byteLength) l.add(c.prep(OpCode.recv, server, out.subarray(received, Math.min(received + 4096, out.byteLength))));
        });
        loop.add(receiver);
        await t.run(loop);
        assert.equal(chunk, 16, 'every queued write completed');
        assert.equal(received, data.byteLength);
        assert.ok(Buffer.from(out).equals(Buffer.from(data)), 'the bytes arrived in order, exactly');
        assert.ok(sends >= 16, `${sends} sends`);
      },
    },
    {
      name: 'shutdown(write) is a half-close: the peer reads every byte then EOF, and can still send back',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        const data = pattern(200_000, 5);
        await sendAll(t, loop, client, data);
        const s = op(loop, OpCode.shutdown, client, null, null, ShutdownHow.write);
        await t.run(loop);
        assert.equal(s.result, 0);
        assert.ok(Buffer.from(await recvExactly(t, loop, server, data.byteLength)).equals(Buffer.from(data)));
        const eof = op(loop, OpCode.recv, server, new Uint8Array(16));
        await t.run(loop);
        assert.equal(eof.result, 0, 'EOF after the data');
        const again = op(loop, OpCode.recv, server, new Uint8Array(16));
        await t.run(loop);
        assert.equal(again.result, 0, 'EOF again');
        await sendAll(t, loop, server, new TextEncoder().encode('reply'));
        assert.equal(new TextDecoder().decode(await recvExactly(t, loop, client, 5)), 'reply', 'the other direction still works');
      },
    },
    {
      name: 'close with two reads and a blocked 32 MiB write pending: each completes before the close callback',
      async run(t) {
        const loop = t.loop();
        const { server, client } = await tcpPair(t, loop);
        assertOk(loop.backend.setsockopt(client, SockOpt.sendBufferSize, 8192));
        const r1 = op(loop, OpCode.recv, client, new Uint8Array(8));
        const r2 = op(loop, OpCode.recv, client, new Uint8Array(8));
        // The peer reads nothing, so this send cannot finish: 32 MiB is more than loopback's send and
        // receive buffers hold even when the kernel grows them (tcp_wmem/tcp_rmem maxima are 4 and 6 MiB).
        const big = op(loop, OpCode.send, client, new Uint8Array(32 << 20));
        await t.run(loop, 'no_wait');
        const closed = op(loop, OpCode.close, client);
        await t.run(loop);
        assert.equal(closed.result, 0);
        assert.equal(r1.result, ECANCELED, 'read 1');
        assert.equal(r2.result, ECANCELED, 'read 2');
        assert.ok(big.result === ECANCELED || (big.result > 0 && big.result < 32 << 20), `the write: ECANCELED or partial, not ${big.result < 0 ? errnoName(big.result) : big.result}`);
        for (const o of [r1, r2, big]) assert.ok(o.order < closed.order, 'completed before the close');
        // The peer sees the connection end: EOF or a reset after whatever arrived.
        let end = 1;
        const sink = new Completion();
        sink.prep(OpCode.recv, server, new Uint8Array(65536)).setCallback((_u, l, c, r) => {
          if (r > 0) l.add(c);
          else end = r;
        });
        loop.add(sink);
        await t.run(loop);
        assert.ok(end === 0 || errnoName(end) === 'ECONNRESET', `the peer got EOF or ECONNRESET, not ${errnoName(end)}`);
      },
    },
  ],
};
