import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Addr, OpCode, SockType } from '../backend/layout.js';
import { decodeAddress, encodeAddress } from '../backend/address.js';
import { errnoName } from '../errors.js';
import type { Loop } from '../loop.js';
import { Process } from '../watcher/process.js';
import type { CaseContext, ConformanceGroup } from './context.js';
import { assertErrno, assertOk, busyWait, listenTcp, op, closeLater } from './helpers.js';

/** Runs the loop until `done()` holds (or fails after `ms`), giving Node's loop turns in attached mode. */
async function until(t: CaseContext, loop: Loop, done: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await t.run(loop, 'no_wait');
    if (t.mode === 'blocking') busyWait(2);
    else await new Promise((r) => setTimeout(r, 2));
  }
}

/** Waits for a file a child writes to hold a line of JSON. */
async function childReport(t: CaseContext, loop: Loop, path: string, what: string): Promise<Record<string, unknown>> {
  let report: Record<string, unknown> | null = null;
  await until(t, loop, () => {
    const text = readFileSync(path, 'utf8');
    const line = text.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
    if (line) report = JSON.parse(line) as Record<string, unknown>;
    return report !== null;
  }, what);
  return report!;
}

/** A child that connects to `port`, says one byte, then reads nothing until it is killed. */
const SILENT_PEER = String.raw`
const s = require('node:net').connect(Number(process.argv[1]), '127.0.0.1', () => { s.write('r'); s.pause(); });
s.on('error', () => {});
setInterval(() => {}, 1 << 30);
`;

/**
 * A child with few descriptors: it serves an echo on the loop, stops accepting at the first failed
 * accept and reports it, then keeps echoing on the connections it has until they close.
 */
const SMALL_SERVER = String.raw`
const fs = require('node:fs');
const [corePath, backend, reportPath] = process.argv.slice(2);
const { Loop, Completion, OpCode, SockType, Addr, encodeAddress, decodeAddress, errnoName } = require(corePath);
const report = fs.openSync(reportPath, 'w'); // opened first: once descriptors run out, nothing more can be
let loop;
try { loop = new Loop({ backend }); } catch (e) { fs.writeSync(report, JSON.stringify({ skip: String(e.message) }) + '\n'); process.exit(0); }
const b = loop.backend;
const listener = b.socket(4, SockType.stream);
b.bind(listener, encodeAddress('127.0.0.1', 0));
b.listen(listener, 511);
const addr = new Uint8Array(Addr.size);
b.sockname(listener, false, addr);
fs.writeSync(report, JSON.stringify({ port: decodeAddress(addr).port }) + '\n');
const peers = [];
const peer = new Uint8Array(Addr.size);
const echo = (h) => {
  const buf = new Uint8Array(64);
  const c = new Completion();
  c.prep(OpCode.recv, h, buf).setCallback((_u, l, comp, r) => {
    if (r <= 0) { l.add(new Completion().prep(OpCode.close, h)); return; }
    l.add(new Completion().prep(OpCode.send, h, buf.slice(0, r)));
    l.add(comp);
  });
  loop.add(c);
};
const accept = new Completion();
accept.prep(OpCode.accept, listener, null, peer).setCallback((_u, l, c, r) => {
  if (r >= 0) { peers.push(decodeAddress(peer).port); echo(r); return 1; }
  l.add(new Completion().prep(OpCode.close, listener));
  fs.ftruncateSync(report, 0);
  fs.writeSync(report, JSON.stringify({ error: errnoName(r), peers }) + '\n', 0);
  return 0;
});
loop.add(accept);
loop.run('until_done').then(() => { loop.close(); process.exit(0); }, (e) => { console.error(e); process.exit(3); });
`;

/** Where `@xev/core` itself resolves, for scripts a child runs. */
function corePath(): string {
  return createRequire(import.meta.url).resolve('@xev/core');
}

export const netFailureCases: ConformanceGroup = {
  name: 'TCP failures (@xev/net)',
  cases: [
    {
      name: 'a peer process killed with SIGKILL gives a pending recv ECONNRESET',
      async run(t) {
        const loop = t.loop();
        const listener = listenTcp(t, loop);
        const accepted = op(loop, OpCode.accept, listener.handle);
        const child = Process.spawn(loop, process.execPath, ['-e', SILENT_PEER, String(listener.port)], { stdio: 'ignore' });
        t.defer(() => child.close());
        await until(t, loop, () => accepted.done, 'the child to connect');
        assertOk(accepted.result, 'accept');
        const conn = accepted.result;
        closeLater(t, loop, conn);
        const ready = op(loop, OpCode.recv, conn, new Uint8Array(1));
        await until(t, loop, () => ready.done, 'the child to say it is ready');
        assert.equal(ready.result, 1);
        // Unread data in the child's receive queue makes its kernel answer the close with a reset.
        const sent = op(loop, OpCode.send, conn, new Uint8Array(256 * 1024));
        await until(t, loop, () => sent.done, 'the first send');
        assertOk(sent.result, 'send');
        const recv = op(loop, OpCode.recv, conn, new Uint8Array(64));
        const exited = op(loop, OpCode.processWait, child.handle);
        await t.run(loop, 'no_wait');
        process.kill(child.pid, 'SIGKILL');
        await t.run(loop);
        assert.equal(exited.result, 128 + 9, 'the child died of SIGKILL');
        assertErrno(recv.result, 'ECONNRESET', 'recv after the peer was killed');
      },
    },
    {
      name: 'connection refused on IPv4 and IPv6 loopback; the socket is left closable',
      async run(t) {
        const loop = t.loop();
        for (const family of [4, 6] as const) {
          const probe = loop.backend.socket(family, SockType.stream);
          assertOk(probe, 'socket');
          const bound = loop.backend.bind(probe, encodeAddress(family === 4 ? '127.0.0.1' : '::1', 0));
          if (bound < 0 && family === 6) {
            loop.backend.closeSync(probe);
            continue; // no IPv6 loopback here
          }
          assertOk(bound, 'bind');
          const address = new Uint8Array(Addr.size);
          assertOk(loop.backend.sockname(probe, false, address));
          // Bound but not listening: nobody accepts on this port.
          const client = loop.backend.socket(family, SockType.stream);
          const c = op(loop, OpCode.connect, client, null, address);
          await t.run(loop);
          assertErrno(c.result, 'ECONNREFUSED', `connect over IPv${family}`);
          const closed = op(loop, OpCode.close, client);
          await t.run(loop);
          assert.equal(closed.result, 0);
          loop.backend.closeSync(probe);
        }
      },
    },
    {
      name: 'EMFILE: a server child with few descriptors gets a clear accept error and keeps serving the connections it has',
      async run(t) {
        if (process.platform === 'win32') return t.skip('needs a POSIX shell for ulimit');
        if (t.backend.name === 'portable') {
          // libuv answers EMFILE with uv__emfile_trick: it accepts and closes the excess connections itself
          // and never tells Node's net, so the portable backend cannot report the error.
          return t.skip("portable backend: libuv hides EMFILE from Node's net (it accepts and drops the excess connections)");
        }
        const loop = t.loop();
        const dir = t.tmpdir();
        const reportPath = join(dir, 'report.json');
        writeFileSync(reportPath, '');
        const script = join(dir, 'server.cjs');
        writeFileSync(script, SMALL_SERVER);
        // Only the child's limit is lowered: ulimit in the shell that execs it.
        const child = Process.spawn(loop, '/bin/sh', ['-c', 'ulimit -n 48 && exec "$0" "$@"', process.execPath, script, corePath(), t.backend.name, reportPath], { stdio: 'ignore' });
        t.defer(() => child.close());
        const exited = op(loop, OpCode.processWait, child.handle);
        const first = await childReport(t, loop, reportPath, 'the child to listen');
        if (typeof first.skip === 'string') {
          await t.run(loop);
          return t.skip(`the child could not load the backend: ${first.skip}`);
        }
        const port = first.port as number;
        // More connections than the child has descriptors for; the kernel completes each handshake.
        const clients = Array.from({ length: 64 }, () => {
          const h = loop.backend.socket(4, SockType.stream);
          assertOk(h, 'socket');
          closeLater(t, loop, h);
          return { h, connect: op(loop, OpCode.connect, h, null, encodeAddress('127.0.0.1', port)) };
        });
        await until(t, loop, () => clients.every((c) => c.connect.done), 'the connects');
        // Once the child runs out and closes its listener, connections still in its queue are reset.
        const outcomes = clients.map((c) => (c.connect.result < 0 ? errnoName(c.connect.result) : 'ok'));
        assert.ok(outcomes.every((o) => o === 'ok' || o === 'ECONNRESET' || o === 'ECONNREFUSED'), `connect outcomes: ${outcomes.join(' ')}`);
        let report: Record<string, unknown> = {};
        await until(t, loop, () => {
          const line = readFileSync(reportPath, 'utf8').split('\n')[0] ?? '';
          if (line.includes('"error"')) report = JSON.parse(line.replace(/\0/g, '')) as Record<string, unknown>;
          return 'error' in report;
        }, "the child's accept to fail");
        assert.equal(report.error, 'EMFILE', `the accept error is EMFILE, not ${String(report.error)}`);
        const served = new Set(report.peers as number[]);
        assert.ok(served.size > 0, 'the child accepted some connections before running out');
        const local = new Uint8Array(Addr.size);
        const kept = clients.filter((c) => loop.backend.sockname(c.h, false, local) === 0 && served.has(decodeAddress(local).port));
        assert.equal(kept.length, served.size, 'every accepted connection is one of ours');
        // The child still echoes on every connection it has.
        const echoes = kept.map((c) => {
          op(loop, OpCode.send, c.h, new TextEncoder().encode('ping'));
          return op(loop, OpCode.recv, c.h, new Uint8Array(4));
        });
        await until(t, loop, () => echoes.every((e) => e.done), 'the echoes');
        assert.ok(echoes.every((e) => e.result === 4), `every kept connection echoed (${echoes.map((e) => e.result).join(',')})`);
        for (const c of clients) op(loop, OpCode.close, c.h);
        await t.run(loop);
        assert.equal(exited.result, 0, `the child exited cleanly (status ${exited.result})`);
      },
    },
  ],
};
