#!/usr/bin/env node
// http: examples/http-server (HTTP/1.1 keep-alive on raw xev TCP) driven by wrk at 100 and 1,000
// connections, against node:http and against a minimal keep-alive responder on Node's net (the least a
// Node server can do per request), same route, same response bytes. Each server is a child process on
// one core, wrk (one thread) on the other. Reported: requests/s, with p50/p99 latency from wrk.
// Needs wrk (Debian: apt-get install -y wrk).
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs, check, emit, result, targets } from './harness/common.mjs';

const args = benchArgs();
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Math.max(2, Math.round(10 * args.scale));

const NODE_HTTP = String.raw`
const http = require('node:http');
const s = http.createServer((req, res) => { res.setHeader('content-type', 'text/plain'); res.end('Hello, World!'); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
`;

// Answers every request head with the same bytes the xev example sends; requests have no body here.
const NODE_NET = String.raw`
const net = require('node:net');
const response = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 13\r\ncontent-type: text/plain\r\n\r\nHello, World!');
const s = net.createServer((c) => {
  c.setNoDelay(true);
  let tail = '';
  c.on('data', (d) => {
    const text = tail + d.toString('latin1');
    let n = 0;
    let at = text.indexOf('\r\n\r\n');
    let last = 0;
    while (at >= 0) { n++; last = at + 4; at = text.indexOf('\r\n\r\n', last); }
    tail = text.slice(last);
    if (n === 1) c.write(response); else if (n > 1) c.write(Buffer.concat(Array(n).fill(response)));
  });
  c.on('error', () => {});
});
s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
`;

async function startServer(argv) {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  for await (const chunk of child.stdout) {
    out += chunk;
    const m = /127\.0\.0\.1:(\d+)/.exec(out);
    if (m) return { port: Number(m[1]), child };
  }
  throw new Error(`server ${argv.join(' ')} did not start`);
}

/** Runs wrk and returns requests/s and the p50/p99 latencies in ms. */
function wrk(port, connections) {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${SECONDS}s`, '--latency', `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const ms = (label) => {
    const m = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return null;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  // wrk counts a request slower than 2 s as a timeout: a latency fact, reported, not a failure.
  const errors = non2xx + (socket ? Number(socket[1]) + Number(socket[2]) + Number(socket[3]) : 0);
  return { rps, p50: ms('50'), p99: ms('99'), errors, timeouts: socket ? Number(socket[4]) : 0 };
}

async function measure(argv, connections) {
  const { port, child } = await startServer(argv);
  try {
    wrk(port, connections); // a warm-up run: the JIT and the connections settle before the measured run
    return wrk(port, connections);
  } finally {
    child.kill();
  }
}

try {
  execFileSync('wrk', ['--version'], { stdio: 'ignore' });
} catch (error) {
  if (error.code === 'ENOENT') {
    console.error('http: wrk is not installed (Debian: apt-get install -y wrk); skipping');
    process.exit(0);
  }
}

for (const connections of [100, 1000]) {
  const nodeHttp = await measure(['-e', NODE_HTTP], connections);
  const nodeNet = await measure(['-e', NODE_NET], connections);
  check(nodeHttp.rps > 0 && nodeNet.rps > 0, 'the Node servers answered');
  for (const { backend, mode } of await targets(args)) {
    try {
      if (mode !== 'attached') continue; // the example server runs attached, next to Node's own loop
      const xev = await measure([join(root, 'examples/http-server/server.mjs'), '--port', '0', '--backend', backend], connections);
      check(xev.rps > 0 && xev.errors === 0, `the xev server answered without errors (${xev.errors} errors)`);
      emit(args, result({
        name: connections === 100 ? 'http-100' : 'http-1000',
        backend,
        mode,
        unit: 'requests/s',
        xev: xev.rps,
        node: nodeHttp.rps,
        extra: {
          node_net: Math.round(nodeNet.rps),
          ratio_node_net: Math.round((xev.rps / nodeNet.rps) * 1000) / 1000,
          xev_p50_ms: xev.p50,
          xev_p99_ms: xev.p99,
          node_p50_ms: nodeHttp.p50,
          node_p99_ms: nodeHttp.p99,
          node_net_p50_ms: nodeNet.p50,
          node_net_p99_ms: nodeNet.p99,
          xev_timeouts: xev.timeouts,
          connections,
          seconds: SECONDS,
        },
      }));
    } catch (error) {
      // One broken backend must not hide the others' figures.
      console.error(`http on ${backend}/${mode} failed: ${error.message}`);
      process.exitCode = 1;
    }
  }
}
