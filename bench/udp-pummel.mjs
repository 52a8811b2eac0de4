#!/usr/bin/env node
// udp_pummel_1v1: libxev's UDP flood (src/bench/udp_pummel_1v1.zig): one sender whose send completion
// rearms 1,000,000 times, sending "RANG TANG DING DONG I AM THE JAPANESE SANDMAN" to one receiver whose
// read rearms; both on one loop. Reported, as libxev does: datagrams received per second (the line's
// figure: what arrived, since UDP drops under load) and sent per second. The Node twin is
// dgram with each send issued from the previous send's callback.
import dgram from 'node:dgram';
import { once } from 'node:events';
import { benchArgs, check, emit, result, runSide, targets } from './harness/common.mjs';

const args = benchArgs();
const PACKETS = Math.max(10_000, Math.round(1_000_000 * args.scale));
const EXPECTED = Buffer.from('RANG TANG DING DONG I AM THE JAPANESE SANDMAN');

async function xevSide(backend, mode) {
  const { CallbackAction, Completion, Loop, encodeAddress } = await import('@xev/core');
  const { UDP } = await import('@xev/net');
  const loop = new Loop({ backend, mode });
  const run = (m = 'until_done') => (mode === 'blocking' ? loop.runBlocking(m) : loop.run(m));
  const receiver = UDP.create(loop);
  receiver.setOptions({ recvBufferSize: 4 << 20 });
  receiver.bind('127.0.0.1', 0);
  const sender = UDP.create(loop);
  sender.bind('127.0.0.1', 0);
  let to;
  for (let i = 0; i < 400 && !to; i++) {
    try {
      to = encodeAddress('127.0.0.1', receiver.localAddress().port);
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  let sent = 0;
  let received = 0;
  let bad = 0;
  const buf = new Uint8Array(65536);
  const recv = new Completion();
  receiver.read(recv, buf, new Uint8Array(28), null, (_u, _l, _c, n) => {
    if (n < 0) return CallbackAction.disarm;
    if (n !== EXPECTED.length) bad++;
    received++;
    return CallbackAction.rearm;
  });
  const t0 = performance.now();
  sender.write(new Completion(), EXPECTED, to, null, (_u, l, _c, r) => {
    if (r !== EXPECTED.length) bad++;
    if (++sent >= PACKETS) {
      l.stop();
      return CallbackAction.disarm;
    }
    return CallbackAction.rearm;
  });
  await run();
  const elapsed = performance.now() - t0;
  // Let the last datagrams land, then stop receiving.
  const settle = performance.now();
  while (received < sent && performance.now() - settle < 200) {
    await run('no_wait');
    if (mode === 'attached') await new Promise((r) => setTimeout(r, 1));
  }
  receiver.close(new Completion(), null, () => {});
  sender.close(new Completion(), null, () => {});
  await run();
  loop.close();
  return { sent, received, bad, sendRate: sent / (elapsed / 1000), recvRate: received / (elapsed / 1000) };
}

async function nodeSide() {
  const receiver = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  receiver.bind(0, '127.0.0.1');
  await once(receiver, 'listening');
  const sender = dgram.createSocket('udp4');
  const port = receiver.address().port;
  let sent = 0;
  let received = 0;
  receiver.on('message', () => received++);
  const t0 = performance.now();
  await new Promise((resolve) => {
    const send = () => sender.send(EXPECTED, port, '127.0.0.1', () => (++sent >= PACKETS ? resolve() : send()));
    send();
  });
  const elapsed = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 100));
  receiver.close();
  sender.close();
  return { sent, received, bad: 0, sendRate: sent / (elapsed / 1000), recvRate: received / (elapsed / 1000) };
}

if (args.side) {
  console.log(JSON.stringify(args.side === 'node' ? await nodeSide() : await xevSide(args.backend, args.mode)));
  process.exit(0);
} else {
  const scale = ['--scale', String(args.scale)];
  const node = runSide(import.meta.url, 'node', scale);
  check(node.sent === PACKETS, `node sent ${node.sent} of ${PACKETS}`);
  for (const { backend, mode } of await targets(args)) {
    try {
      const xev = runSide(import.meta.url, 'xev', ['--backend', backend, '--mode', mode, ...scale]);
      check(xev.sent === PACKETS && xev.bad === 0 && xev.received > 0, `xev sent ${xev.sent} of ${PACKETS} (${xev.bad} bad), received ${xev.received}`);
      emit(args, result({ name: 'udp_pummel_1v1', backend, mode, unit: 'datagrams received/s', xev: xev.recvRate, node: node.recvRate, extra: { xev_sent_per_s: Math.round(xev.sendRate), node_sent_per_s: Math.round(node.sendRate), xev_received: xev.received, node_received: node.received, packets: PACKETS } }));
    } catch (error) {
      // One broken backend must not hide the others' figures.
      console.error(`udp-pummel on ${backend}/${mode} failed: ${error.message}`);
      process.exitCode = 1;
    }
  }
}
