#!/usr/bin/env node
// ping-pongs: libxev's TCP round-trip benchmark (src/bench/ping-pongs.zig): the client sends "PING\n",
// an echo server sends it back, 500,000 times over one connection. ping-pongs-100 runs the same total
// over 100 connections at once. The echo server is a child process (examples/echo-server on the same
// backend and mode; Node's net for the twin), so client and server each have a core. The Node twin is
// a net client against a net echo server; the C reference is bench/c/ping-pong.c on io_uring or epoll.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs, check, emit, result, runSide, targets } from './harness/common.mjs';
import { cBackend, runC } from './c/run-c.mjs';

const args = benchArgs();
const PINGS = Math.max(1000, Math.round(500_000 * args.scale));
const PING = Buffer.from('PING\n');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const NODE_ECHO = String.raw`
const s = require('node:net').createServer((c) => { c.setNoDelay(true); c.on('data', (d) => c.write(d)); c.on('error', () => {}); });
s.listen(0, '127.0.0.1', () => console.log('echo on 127.0.0.1:' + s.address().port));
`;

/** Starts an echo server child and resolves { port, child }. */
async function startServer(kind, backend, mode) {
  const argv = kind === 'xev' ? [join(root, 'examples/echo-server/server.mjs'), '--port', '0', '--backend', backend, '--mode', mode] : ['-e', NODE_ECHO];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  for await (const chunk of child.stdout) {
    out += chunk;
    const m = /127\.0\.0\.1:(\d+)/.exec(out);
    if (m) return { port: Number(m[1]), child };
  }
  throw new Error(`the ${kind} echo server did not start`);
}

/** Counts pongs in received bytes per connection, as libxev's client does. */
function counter() {
  return { state: 0, pongs: 0 };
}

async function xevClient(port, conns, backend, mode) {
  const { CallbackAction, Completion, Loop } = await import('@xev/core');
  const { TCP } = await import('@xev/net');
  const loop = new Loop({ backend, mode });
  let total = 0;
  let open = conns;
  const perConn = Math.ceil(PINGS / conns);
  const sockets = [];
  for (let i = 0; i < conns; i++) {
    const tcp = TCP.create(loop);
    tcp.setOptions({ noDelay: true });
    tcp.connect(new Completion(), '127.0.0.1', port, null, () => {});
    sockets.push(tcp);
  }
  if (mode === 'blocking') loop.runBlocking('until_done');
  else await loop.run('until_done');
  const t0 = performance.now();
  for (const tcp of sockets) {
    const c = counter();
    const buf = Buffer.alloc(1024);
    const writes = [new Completion(), new Completion(), new Completion(), new Completion()];
    let w = 0;
    const ping = () => {
      // Round-robin over a few completions: a write's callback may not have run before the next ping.
      const wc = writes[w++ & 3];
      tcp.write(wc, PING, null, () => CallbackAction.disarm);
    };
    tcp.read(new Completion(), buf, null, (_u, _l, _c, n) => {
      if (n <= 0) throw new Error(`read ${n}`);
      for (let i = 0; i < n; i++) {
        c.state = (c.state + 1) % 5;
        if (c.state === 0) {
          total++;
          if (++c.pongs >= perConn) {
            open--;
            tcp.close(new Completion(), null, () => CallbackAction.disarm);
            return CallbackAction.disarm;
          }
          ping();
        }
      }
      return CallbackAction.rearm;
    });
    ping();
  }
  if (mode === 'blocking') loop.runBlocking('until_done');
  else await loop.run('until_done');
  const elapsed = performance.now() - t0;
  loop.close();
  return { pongs: total, open, rate: total / (elapsed / 1000) };
}

async function nodeClient(port, conns) {
  const perConn = Math.ceil(PINGS / conns);
  let total = 0;
  const sockets = await Promise.all(Array.from({ length: conns }, async () => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    await once(s, 'connect');
    return s;
  }));
  const t0 = performance.now();
  await Promise.all(sockets.map((s) => new Promise((resolve) => {
    const c = counter();
    s.on('data', (d) => {
      for (let i = 0; i < d.length; i++) {
        c.state = (c.state + 1) % 5;
        if (c.state === 0) {
          total++;
          if (++c.pongs >= perConn) {
            s.destroy();
            return resolve();
          }
          s.write(PING);
        }
      }
    });
    s.write(PING);
  })));
  const elapsed = performance.now() - t0;
  return { pongs: total, rate: total / (elapsed / 1000) };
}

if (args.side) {
  const [kind, port, conns] = args.side.split(':');
  const r = kind === 'node' ? await nodeClient(Number(port), Number(conns)) : await xevClient(Number(port), Number(conns), args.backend, args.mode);
  console.log(JSON.stringify(r));
  process.exit(0);
} else {
  const scale = ['--scale', String(args.scale)];
  for (const conns of [1, 100]) {
    const name = conns === 1 ? 'ping-pongs' : 'ping-pongs-100';
    const expected = Math.ceil(PINGS / conns) * conns;
    const nodeServer = await startServer('node');
    const node = runSide(import.meta.url, `node:${nodeServer.port}:${conns}`, scale);
    nodeServer.child.kill();
    check(node.pongs === expected, `node completed ${node.pongs} of ${expected}`);
    const cCache = {};
    for (const { backend, mode } of await targets(args)) {
      try {
        const server = await startServer('xev', backend, mode);
        const xev = runSide(import.meta.url, `xev:${server.port}:${conns}`, ['--backend', backend, '--mode', mode, ...scale]);
        server.child.kill();
        check(xev.pongs === expected, `xev completed ${xev.pongs} of ${expected}`);
        const cb = cBackend(backend);
        if (cb && !(cb in cCache)) cCache[cb] = runC('ping-pong', [cb, expected, conns]);
        const c = cb ? cCache[cb] : undefined;
        emit(args, result({ name, backend, mode, unit: 'round trips/s', xev: xev.rate, node: node.rate, c: c?.rate, extra: { connections: conns, pings: expected } }));
      } catch (error) {
        // One broken backend must not hide the others' figures.
        console.error(`ping-pongs on ${backend}/${mode} failed: ${error.message}`);
        process.exitCode = 1;
      }
    }
  }
}
