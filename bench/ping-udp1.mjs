#!/usr/bin/env node
// ping-udp1: libxev's UDP round trip (src/bench/ping-udp1.zig): one socket sends "PING\n" to its own
// address and reads it back; the next ping goes out once both the send and the read of the last one
// completed; 500,000 round trips. The Node twin does the same with dgram.
import dgram from 'node:dgram';
import { once } from 'node:events';
import { benchArgs, check, emit, result, runSide, targets } from './harness/common.mjs';

const args = benchArgs();
const PINGS = Math.max(1000, Math.round(500_000 * args.scale));
const PING = Buffer.from('PING\n');

async function xevSide(backend, mode) {
  const { CallbackAction, Completion, Loop, encodeAddress } = await import('@xev/core');
  const { UDP } = await import('@xev/net');
  const loop = new Loop({ backend, mode });
  const run = () => (mode === 'blocking' ? loop.runBlocking('until_done') : loop.run('until_done'));
  const udp = UDP.create(loop);
  udp.bind('127.0.0.1', 0);
  let self;
  for (let i = 0; i < 400 && !self; i++) {
    try {
      self = encodeAddress('127.0.0.1', udp.localAddress().port);
    } catch {
      await new Promise((r) => setTimeout(r, 5)); // the portable backend binds on Node's loop
    }
  }
  const buf = new Uint8Array(1024);
  const from = new Uint8Array(28);
  const read = new Completion();
  const write = new Completion();
  let pongs = 0;
  let state = 0;
  let ops = 0;
  const step = () => {
    if (++ops === 2) {
      ops = 0;
      udp.write(write, PING, self, null, onWrite);
    }
  };
  const onWrite = () => (step(), CallbackAction.disarm);
  const t0 = performance.now();
  udp.read(read, buf, from, null, (_u, _l, _c, n) => {
    for (let i = 0; i < n; i++) {
      state = (state + 1) % 5;
      if (state === 0 && ++pongs >= PINGS) {
        udp.close(new Completion(), null, () => CallbackAction.disarm);
        return CallbackAction.disarm;
      }
    }
    step();
    return CallbackAction.rearm;
  });
  udp.write(write, PING, self, null, onWrite);
  ops = 1; // the first ping has no read before it
  await run();
  const elapsed = performance.now() - t0;
  loop.close();
  return { pongs, rate: pongs / (elapsed / 1000) };
}

async function nodeSide() {
  const s = dgram.createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const port = s.address().port;
  let pongs = 0;
  let ops = 1;
  const step = () => {
    if (++ops === 2) {
      ops = 0;
      s.send(PING, port, '127.0.0.1', step);
    }
  };
  const t0 = performance.now();
  await new Promise((resolve) => {
    s.on('message', () => {
      if (++pongs >= PINGS) return resolve();
      step();
    });
    s.send(PING, port, '127.0.0.1', step);
    ops = 0;
  });
  const elapsed = performance.now() - t0;
  s.close();
  return { pongs, rate: pongs / (elapsed / 1000) };
}

if (args.side) {
  console.log(JSON.stringify(args.side === 'node' ? await nodeSide() : await xevSide(args.backend, args.mode)));
  process.exit(0);
} else {
  const scale = ['--scale', String(args.scale)];
  const node = runSide(import.meta.url, 'node', scale);
  check(node.pongs === PINGS, `node completed ${node.pongs} of ${PINGS}`);
  for (const { backend, mode } of await targets(args)) {
    try {
      const xev = runSide(import.meta.url, 'xev', ['--backend', backend, '--mode', mode, ...scale]);
      check(xev.pongs === PINGS, `xev completed ${xev.pongs} of ${PINGS}`);
      emit(args, result({ name: 'ping-udp1', backend, mode, unit: 'round trips/s', xev: xev.rate, node: node.rate, extra: { pings: PINGS } }));
    } catch (error) {
      // One broken backend must not hide the others' figures.
      console.error(`ping-udp1 on ${backend}/${mode} failed: ${error.message}`);
      process.exitCode = 1;
    }
  }
}
