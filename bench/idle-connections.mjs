#!/usr/bin/env node
// idle-connections: 10,000 connected, idle TCP connections held by a server, each ready to read. xev
// serves them with pooled reads (one poll completion per connection, no read buffer until data comes);
// the `xev_buffered` figure is the same server with a plain 64 KiB read buffer per connection, and the
// Node twin is a net server with a 'data' listener per socket. Reported: memory growth per connection
// (RSS and JS heap after a full GC, in bytes), lower is better. The clients are a separate process.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { benchArgs, check, emit, result, runSide, targets } from './harness/common.mjs';

const args = benchArgs();
const CONNECTIONS = Math.max(100, Math.round(10_000 * args.scale));

const CLIENTS = String.raw`
const net = require('node:net');
const [port, n] = process.argv.slice(1).map(Number);
let open = 0;
const sockets = [];
function more() {
  // Connect in batches so the server's backlog never overflows.
  for (let i = 0; i < 200 && sockets.length < n; i++) {
    const s = net.connect(port, '127.0.0.1', () => { if (++open === n) console.log('ready'); else if (open % 200 === 0) more(); });
    s.on('error', (e) => { console.error(e.message); process.exit(1); });
    sockets.push(s);
  }
}
more();
setInterval(() => {}, 1 << 30);
`;

function memory() {
  global.gc();
  global.gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external }; // external already includes ArrayBuffers
}

/** Starts the clients against `port` and resolves once every connection is up. */
async function clients(port) {
  const child = spawn(process.execPath, ['-e', CLIENTS, String(port), String(CONNECTIONS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const chunk of child.stdout) if (String(chunk).includes('ready')) return child;
  throw new Error('the clients did not connect');
}

async function xevSide(backend, pooled) {
  const { CallbackAction, Completion, Loop } = await import('@xev/core');
  const { PooledReader, ReadPool, TCP } = await import('@xev/net');
  const loop = new Loop({ backend });
  const listener = TCP.create(loop);
  listener.bind('127.0.0.1', 0);
  listener.listen(4096);
  const pool = new ReadPool();
  const held = [];
  const before = memory();
  listener.accept(new Completion(), null, (_u, l, _c, r) => {
    if (r < 0) return CallbackAction.disarm;
    const tcp = new TCP(l, r);
    if (pooled) {
      const reader = new PooledReader(tcp, pool, null, () => CallbackAction.rearm);
      reader.start();
      held.push(reader);
    } else {
      const buf = new Uint8Array(64 * 1024);
      tcp.read(new Completion(), buf, null, () => CallbackAction.rearm);
      held.push(buf);
    }
    return held.length < CONNECTIONS ? CallbackAction.rearm : CallbackAction.disarm;
  });
  const peers = await clients(listener.localAddress().port);
  while (held.length < CONNECTIONS) await new Promise((r) => setTimeout(r, 10));
  await loop.run('no_wait');
  const after = memory();
  peers.kill('SIGKILL');
  // The loop still holds 10,000 sockets with reads pending; the process exit releases them.
  return { count: held.length, before, after, poolBuffers: pool.allocated };
}

if (args.side) {
  const [kind] = args.side.split(':');
  const out = (r) => console.log(JSON.stringify(r));
  if (kind === 'node') {
    const server = net.createServer();
    const sockets = [];
    server.on('connection', (s) => {
      s.on('data', () => {});
      s.on('error', () => {});
      sockets.push(s);
    });
    server.listen(0, '127.0.0.1', 4096);
    await once(server, 'listening');
    const before = memory();
    const peers = await clients(server.address().port);
    while (sockets.length < CONNECTIONS) await new Promise((r) => setTimeout(r, 10));
    const after = memory();
    out({ count: sockets.length, before, after });
    peers.kill('SIGKILL');
    process.exit(0);
  } else {
    out(await xevSide(args.backend, kind === 'xev'));
    process.exit(0);
  }
} else {
  const scale = ['--scale', String(args.scale)];
  const nodeArgs = ['--expose-gc'];
  const node = runSide(import.meta.url, 'node', scale, nodeArgs);
  check(node.count === CONNECTIONS, `node held ${node.count} of ${CONNECTIONS}`);
  const per = (r, key) => (r.after[key] - r.before[key]) / CONNECTIONS;
  for (const { backend, mode } of await targets(args)) {
    try {
      if (mode !== 'attached') continue; // memory per connection does not depend on the run mode
      const pooled = runSide(import.meta.url, 'xev', ['--backend', backend, ...scale], nodeArgs);
      const buffered = runSide(import.meta.url, 'xev-buffered', ['--backend', backend, ...scale], nodeArgs);
      check(pooled.count === CONNECTIONS && buffered.count === CONNECTIONS, 'xev held every connection');
      emit(args, result({
        name: 'idle-connections',
        backend,
        mode,
        unit: 'bytes/connection (heap)',
        better: 'lower',
        xev: per(pooled, 'heap'),
        node: per(node, 'heap'),
        extra: {
          xev_rss_per_conn: Math.round(per(pooled, 'rss')),
          node_rss_per_conn: Math.round(per(node, 'rss')),
          xev_buffered_heap_per_conn: Math.round(per(buffered, 'heap')),
          xev_buffered_rss_per_conn: Math.round(per(buffered, 'rss')),
          pool_buffers: pooled.poolBuffers,
          connections: CONNECTIONS,
        },
      }));
    } catch (error) {
      // One broken backend must not hide the others' figures.
      console.error(`idle-connections on ${backend}/${mode} failed: ${error.message}`);
      process.exitCode = 1;
    }
  }
}
