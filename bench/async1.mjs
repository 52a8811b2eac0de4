#!/usr/bin/env node
// async1: libxev's cross-thread wake-up benchmark. The main thread and one worker thread ping-pong
// 1,000,000 times, each waking the other's loop through an Async handle. Reported in round trips per
// second. The Node twin is a MessagePort ping-pong between the main thread and a worker (Node's
// loop-integrated cross-thread channel); an Atomics.wait/notify ping-pong is reported beside it as a
// reference for the raw cost of waking a thread, and the C reference (bench/c/async-eventfd.c: two
// threads ping-ponging through eventfds) is the limit for cross-thread wake-ups on this machine.
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { benchArgs, check, emit, result, runSide, targets } from './harness/common.mjs';
import { runC } from './c/run-c.mjs';

const args = benchArgs();
const PINGS = Math.max(1000, Math.round(1_000_000 * args.scale));
const corePath = createRequire(import.meta.url).resolve('@xev/core');

/** The worker's half of the xev ping-pong: its own loop on the same backend, blocking when it can. */
const XEV_WORKER = String.raw`
const { workerData, parentPort } = require('node:worker_threads');
const { Async, CallbackAction, Completion, Loop, notifyToken } = require(workerData.core);
const mode = workerData.mode;
const loop = new Loop({ backend: workerData.backend, mode });
const mine = new Async(loop);
parentPort.postMessage(mine.token());
parentPort.once('message', async (mainToken) => {
  let sent = 0;
  mine.wait(new Completion(), null, () => {
    notifyToken(mainToken);
    return ++sent >= workerData.pings ? CallbackAction.disarm : CallbackAction.rearm;
  });
  notifyToken(mainToken); // kick off
  if (mode === 'blocking') loop.runBlocking('until_done'); else await loop.run('until_done');
  mine.close();
  loop.close();
  parentPort.postMessage(sent);
});
`;

async function xevSide(backend, mode) {
  const { Async, CallbackAction, Completion, Loop, notifyToken } = await import('@xev/core');
  const loop = new Loop({ backend, mode });
  const mine = new Async(loop);
  const worker = new Worker(XEV_WORKER, { eval: true, workerData: { core: corePath, backend, mode, pings: PINGS } });
  const workerToken = await new Promise((r) => worker.once('message', r));
  let seen = 0;
  const workerDone = new Promise((r) => worker.once('message', r));
  mine.wait(new Completion(), null, () => {
    // The worker kicks off, so the main side's PINGS-th wake is answered by the worker's last reply.
    if (++seen > PINGS) return CallbackAction.disarm;
    notifyToken(workerToken);
    return CallbackAction.rearm;
  });
  worker.postMessage(mine.token());
  const t0 = performance.now();
  if (mode === 'blocking') loop.runBlocking('until_done');
  else await loop.run('until_done');
  const elapsed = performance.now() - t0;
  const workerSent = await workerDone;
  await worker.terminate();
  mine.close();
  loop.close();
  return { pings: Math.min(seen, PINGS), workerSent, rate: PINGS / (elapsed / 1000) };
}

const PORT_WORKER = String.raw`
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (n) => parentPort.postMessage(n));
`;

async function messagePortSide() {
  const worker = new Worker(PORT_WORKER, { eval: true });
  let seen = 0;
  const t0 = performance.now();
  await new Promise((resolve) => {
    worker.on('message', () => {
      if (++seen === PINGS) resolve();
      else worker.postMessage(seen);
    });
    worker.postMessage(0);
  });
  const elapsed = performance.now() - t0;
  await worker.terminate();
  return { pings: seen, rate: PINGS / (elapsed / 1000) };
}

const ATOMICS_WORKER = String.raw`
const { workerData } = require('node:worker_threads');
const word = new Int32Array(workerData.shared);
for (let i = 0; i < workerData.pings; i++) {
  while (Atomics.load(word, 0) !== 1) Atomics.wait(word, 0, 0);
  Atomics.store(word, 0, 2);
  Atomics.notify(word, 0);
}
`;

async function atomicsSide() {
  const shared = new SharedArrayBuffer(4);
  const word = new Int32Array(shared);
  const worker = new Worker(ATOMICS_WORKER, { eval: true, workerData: { shared, pings: PINGS } });
  await new Promise((r) => worker.once('online', r));
  const t0 = performance.now();
  for (let i = 0; i < PINGS; i++) {
    Atomics.store(word, 0, 1);
    Atomics.notify(word, 0);
    while (Atomics.load(word, 0) !== 2) Atomics.wait(word, 0, 1);
  }
  const elapsed = performance.now() - t0;
  await worker.terminate();
  return { pings: PINGS, rate: PINGS / (elapsed / 1000) };
}

if (args.side) {
  const r = args.side === 'node' ? await messagePortSide() : args.side === 'atomics' ? await atomicsSide() : await xevSide(args.backend, args.mode);
  console.log(JSON.stringify(r));
} else {
  const scale = ['--scale', String(args.scale)];
  const node = runSide(import.meta.url, 'node', scale);
  const atomics = runSide(import.meta.url, 'atomics', scale);
  check(node.pings === PINGS && atomics.pings === PINGS, 'the Node twins completed every ping');
  const c = process.platform === 'linux' ? runC('async-eventfd', [PINGS]) : undefined;
  for (const { backend, mode } of await targets(args)) {
    const xev = runSide(import.meta.url, 'xev', ['--backend', backend, '--mode', mode, ...scale]);
    check(xev.pings === PINGS && xev.workerSent === PINGS, `xev completed ${xev.pings}/${xev.workerSent} of ${PINGS} pings`);
    emit(args, result({ name: 'async1', backend, mode, unit: 'round trips/s', xev: xev.rate, node: node.rate, c: c?.round_trips_per_s, extra: { atomics_wait: Math.round(atomics.rate), pings: PINGS } }));
  }
}
