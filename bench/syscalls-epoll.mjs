#!/usr/bin/env node
// syscalls-epoll: system calls per TCP ping-pong round trip on the epoll backend, attached and blocking,
// next to Node's own `net` doing the same ping-pong in the same run.
//
//   node bench/syscalls-epoll.mjs                   counts under `strace -c -f` and prints per-round-trip rates
//   node bench/syscalls-epoll.mjs --json            the same, as JSON
//   node bench/syscalls-epoll.mjs --run xev-attached --rounds 10000    one ping-pong, no strace
//
// Each configuration runs twice under strace, with LOW and HIGH round trips; the difference divided by
// HIGH - LOW is the steady-state cost of one round trip, free of start-up and teardown (module loading,
// socket setup, V8's threads). Target for the epoll backend: at most 0.1 epoll_ctl per round trip.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MESSAGE = 64; // bytes each way, as libxev's ping-pongs
const LOW = 2_000;
const HIGH = 12_000;
const CONFIGS = ['xev-attached', 'xev-blocking', 'node-net'];

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};

/** One ping-pong over the epoll backend through the xev Loop: a client and a server socket on one loop. */
async function xevPingPong(mode, rounds) {
  const { CallbackAction, Completion, Loop, OpCode, SockOpt, SockType, decodeAddress, encodeAddress } = await import('@xev/core');
  const { backend } = await import('@xev/backend-epoll');
  const loop = new Loop({ backend, mode });
  const b = loop.backend;
  const listener = b.socket(4, SockType.stream);
  b.bind(listener, encodeAddress('127.0.0.1', 0));
  b.listen(listener, 16);
  const bound = new Uint8Array(28);
  b.sockname(listener, false, bound);
  const client = b.socket(4, SockType.stream);
  b.setsockopt(client, SockOpt.noDelay, 1);

  // Receive buffers larger than a message, as any real program's: a short read tells the backend that the
  // socket is drained, so it parks the next receive without trying it first.
  const ping = new Uint8Array(MESSAGE).fill(1);
  const pong = new Uint8Array(MESSAGE).fill(2);
  const clientBuf = new Uint8Array(4096);
  const serverBuf = new Uint8Array(4096);
  let server = -1;
  let completed = 0;
  let received = 0; // bytes of the current pong
  let served = 0; // bytes of the current ping
  let start = 0;
  let ms = 0;
  const clientRecv = new Completion();
  const clientSend = new Completion();
  const serverRecv = new Completion();
  const serverSend = new Completion();
  const close = (fd) => loop.add(new Completion().prep(OpCode.close, fd));

  const sendPing = () => loop.add(clientSend.prep(OpCode.send, client, ping));
  clientSend.setCallback((_u, _l, _c, r) => {
    if (r !== MESSAGE) throw new Error(`ping send returned ${r}`);
  });
  clientRecv.setCallback((_u, _l, _c, r) => {
    if (r <= 0) throw new Error(`pong recv returned ${r}`);
    received += r;
    if (received < MESSAGE) return CallbackAction.rearm;
    received = 0;
    if (++completed < rounds) {
      sendPing();
      return CallbackAction.rearm;
    }
    // Done: closing the client makes the server read EOF and close its side.
    ms = performance.now() - start;
    close(client);
    return CallbackAction.disarm;
  });
  serverRecv.setCallback((_u, _l, _c, r) => {
    if (r === 0) {
      close(server);
      close(listener);
      return CallbackAction.disarm;
    }
    if (r < 0) throw new Error(`ping recv returned ${r}`);
    served += r;
    if (served < MESSAGE) return CallbackAction.rearm;
    served = 0;
    loop.add(serverSend.prep(OpCode.send, server, pong));
    return CallbackAction.rearm;
  });
  serverSend.setCallback((_u, _l, _c, r) => {
    if (r !== MESSAGE) throw new Error(`pong send returned ${r}`);
  });

  const accept = new Completion(null, (_u, _l, _c, fd) => {
    if (fd < 0) throw new Error(`accept returned ${fd}`);
    server = fd;
    b.setsockopt(server, SockOpt.noDelay, 1);
    loop.add(serverRecv.prep(OpCode.recv, server, serverBuf));
  });
  const connect = new Completion(null, (_u, _l, _c, r) => {
    if (r !== 0) throw new Error(`connect returned ${r}`);
    start = performance.now();
    if (rounds === 0) return close(client);
    loop.add(clientRecv.prep(OpCode.recv, client, clientBuf));
    sendPing();
  });
  loop.add(accept.prep(OpCode.accept, listener));
  loop.add(connect.prep(OpCode.connect, client, null, encodeAddress('127.0.0.1', decodeAddress(bound).port)));
  if (mode === 'blocking') loop.runBlocking('until_done');
  else await loop.run('until_done');
  loop.close();
  return { rounds: completed, ms };
}

/** The same ping-pong on Node's `net`, the baseline a user would otherwise pick. */
async function nodePingPong(rounds) {
  const server = net.createServer({ noDelay: true }, (socket) => {
    let got = 0;
    socket.on('data', (d) => {
      got += d.length;
      while (got >= MESSAGE) {
        got -= MESSAGE;
        socket.write(Buffer.alloc(MESSAGE, 2));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = net.connect({ port: server.address().port, host: '127.0.0.1', noDelay: true });
  await new Promise((resolve) => socket.once('connect', resolve));
  const ping = Buffer.alloc(MESSAGE, 1);
  const start = performance.now();
  let completed = 0;
  await new Promise((resolve) => {
    let got = 0;
    socket.on('data', (d) => {
      got += d.length;
      while (got >= MESSAGE) {
        got -= MESSAGE;
        if (++completed === rounds) return resolve();
        socket.write(ping);
      }
    });
    if (rounds > 0) socket.write(ping);
    else resolve();
  });
  const ms = performance.now() - start;
  socket.destroy();
  server.close();
  return { rounds: completed, ms };
}

async function runOne(config, rounds) {
  if (config === 'node-net') return nodePingPong(rounds);
  return xevPingPong(config === 'xev-blocking' ? 'blocking' : 'attached', rounds);
}

/** Parses `strace -c` output: syscall name -> calls (errors included). */
function parseStrace(text) {
  const counts = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:(\d+)\s+)?(\w+)\s*$/);
    if (m && m[3] !== 'total') counts[m[3]] = Number(m[1]);
  }
  return counts;
}

function traced(config, rounds, dir) {
  const out = join(dir, `${config}-${rounds}.txt`);
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync('strace', ['-c', '-f', '-o', out, process.execPath, self, '--run', config, '--rounds', String(rounds)], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`${config} under strace failed: ${child.stderr}`);
  const reported = JSON.parse(child.stdout.trim().split('\n').pop());
  if (reported.rounds !== rounds) throw new Error(`${config}: expected ${rounds} round trips, got ${reported.rounds}`);
  return parseStrace(readFileSync(out, 'utf8'));
}

async function main() {
  const single = option('--run');
  if (single) {
    const result = await runOne(single, Number(option('--rounds', '10000')));
    console.log(JSON.stringify(result));
    return;
  }
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
  } catch {
    console.error('strace is not installed (apt-get install -y strace)');
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'xev-syscalls-'));
  const report = { command: `strace -c -f node bench/syscalls-epoll.mjs --run <config> --rounds ${LOW}|${HIGH}`, perRoundTrip: {} };
  try {
    for (const config of CONFIGS) {
      const low = traced(config, LOW, dir);
      const high = traced(config, HIGH, dir);
      const per = {};
      for (const name of new Set([...Object.keys(low), ...Object.keys(high)])) {
        const rate = ((high[name] ?? 0) - (low[name] ?? 0)) / (HIGH - LOW);
        if (Math.abs(rate) >= 0.005) per[name] = Math.round(rate * 1000) / 1000;
      }
      per.total = Math.round(Object.values(per).reduce((a, b) => a + b, 0) * 1000) / 1000;
      report.perRoundTrip[config] = Object.fromEntries(Object.entries(per).sort((a, b) => b[1] - a[1]));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ctl = report.perRoundTrip['xev-attached'].epoll_ctl ?? 0;
  const ctlBlocking = report.perRoundTrip['xev-blocking'].epoll_ctl ?? 0;
  report.epollCtlTargetMet = ctl <= 0.1 && ctlBlocking <= 0.1;
  if (flag('--json')) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`syscalls per TCP ping-pong round trip (${MESSAGE}-byte messages, ${HIGH}-${LOW} round trips, strace -c -f)`);
    for (const [config, per] of Object.entries(report.perRoundTrip)) {
      console.log(`  ${config.padEnd(13)} ${Object.entries(per).map(([k, v]) => `${k}=${v}`).join('  ')}`);
    }
    console.log(`epoll_ctl per round trip: attached ${ctl}, blocking ${ctlBlocking} (target <= 0.1: ${report.epollCtlTargetMet ? 'met' : 'NOT met'})`);
  }
  if (!report.epollCtlTargetMet) process.exitCode = 1;
}

await main();
