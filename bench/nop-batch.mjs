#!/usr/bin/env node
// nop-batch: how many no-op operations per second go through xev's whole JavaScript path on io_uring, in
// batches of 64 — the per-operation overhead of the batched design with the kernel doing almost nothing.
// Two xev figures: `xev` stages 64 NOP entries in the shared sq and calls Backend.enter once per batch
// (the adapter, the N-API call, SQE preparation, io_uring_enter, CQE copy-out); `loop` runs the same
// batches through a Loop with 64 rearming Completions and a JavaScript callback per completion. The
// baseline `c` is bench/c/nop-batch.c, a raw ring doing the same batches, compiled and run in this run.
// DESIGN.md §8 expects ~84% of C for the loop path; the target for `xev` is >= 75%.
//
//   node bench/nop-batch.mjs [--json] [--mode blocking|attached] [--scale X]
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { benchArgs, check, emit, result } from './harness/common.mjs';

const args = benchArgs();
const BATCH = 64;
const OPS = Math.max(BATCH * 100, Math.round((2_000_000 * args.scale) / BATCH) * BATCH);
// Best of seven rounds for every side: the figure is a capability, not an average under noise.
const RUNS = 7;
const here = dirname(fileURLToPath(import.meta.url));

/** Compiles the C baseline; a function running it once (ops/s), or null without a C compiler. */
function cBaseline() {
  const out = join(here, '.build');
  mkdirSync(out, { recursive: true });
  const bin = join(out, 'nop-batch');
  try {
    execFileSync('cc', ['-O2', '-o', bin, join(here, 'c', 'nop-batch.c')], { stdio: 'pipe' });
  } catch (error) {
    console.error(`nop-batch: no C baseline (cc failed: ${error.message.split('\n')[0]})`);
    return null;
  }
  return () => {
    const line = JSON.parse(execFileSync(bin, [String(OPS), String(BATCH)], { encoding: 'utf8' }));
    check(line.ops === OPS, `C completed ${line.ops} of ${OPS} nops`);
    return line.ops_per_s;
  };
}

/** Batches through Backend.enter: stage 64 NOPs, one enter, count and check the CQEs. */
function enterSide(backend, mode, Sqe, Cqe, OpCode) {
  const b = backend.create({ entries: 256, mode });
  const sq = new Float64Array(256 * Sqe.stride);
  const cq = new Float64Array(256 * Cqe.stride);
  const objects = new Array(512).fill(null);
  b.init({ sq, objects, cq, sqEntries: 256, cqEntries: 256 });
  for (let i = 0; i < BATCH; i++) {
    sq[i * Sqe.stride + Sqe.op] = OpCode.nop;
    sq[i * Sqe.stride + Sqe.slot] = i;
  }
  const once = (ops) => {
    let done = 0;
    let slotSum = 0;
    const t0 = performance.now();
    const reap = (n) => {
      for (let i = 0; i < n; i++) slotSum += cq[i * Cqe.stride + Cqe.slot] + cq[i * Cqe.stride + Cqe.result];
      done += n;
    };
    for (let staged = 0; staged < ops; staged += BATCH) {
      // NOPs complete inside the enter that submitted them, so the same 64 slots are reused every batch.
      reap(b.enter(BATCH, 0));
    }
    while (done < ops) reap(b.enter(0, mode === 'blocking' ? 10 : 0));
    const seconds = (performance.now() - t0) / 1e3;
    check(done === ops, `enter completed ${done} of ${ops} nops`);
    check(slotSum === (ops / BATCH) * ((BATCH * (BATCH - 1)) / 2), 'every slot came back once, with result 0');
    return ops / seconds;
  };
  const warmUp = Math.ceil(OPS / 10 / BATCH) * BATCH;
  once(warmUp); // JIT and page faults
  return { run: () => once(OPS), close: () => b.destroy() };
}

/** The same batches through the Loop: 64 rearming nop Completions, one callback per completion. */
async function loopSide(backend, mode, core) {
  const { Loop, Completion, CallbackAction, OpCode } = core;
  const once = async (ops) => {
    const loop = new Loop({ backend, mode, entries: 256 });
    let calls = 0;
    const callback = () => (++calls + BATCH <= ops ? CallbackAction.rearm : CallbackAction.disarm);
    for (let i = 0; i < BATCH; i++) loop.add(new Completion().prep(OpCode.nop).setCallback(callback));
    const t0 = performance.now();
    if (mode === 'blocking') loop.runBlocking('until_done');
    else await loop.run('until_done');
    const seconds = (performance.now() - t0) / 1e3;
    loop.close();
    check(calls === ops, `the loop ran ${calls} of ${ops} callbacks`);
    return ops / seconds;
  };
  await once(Math.ceil(OPS / 10 / BATCH) * BATCH);
  return () => once(OPS);
}

const core = await import('@xev/core');
const { backend } = await import('@xev/backend-iouring');
const probe = backend.probe();
if (!probe.usable) {
  console.error(`nop-batch: io_uring is not usable here: ${probe.message}`);
  process.exit(args.backend === 'io_uring' ? 1 : 0);
}
if (args.backend && args.backend !== 'io_uring') process.exit(0);
const cRun = cBaseline();
for (const mode of ['blocking', 'attached']) {
  if (args.mode && args.mode !== mode) continue;
  const enter = enterSide(backend, mode, core.Sqe, core.Cqe, core.OpCode);
  const loopRun = await loopSide(backend, mode, core);
  // The sides take turns, round after round, and each keeps its best: on a shared machine a quiet
  // moment then favours no side, so the ratio measures the code rather than the neighbours' load.
  let c = 0;
  let xev = 0;
  let loop = 0;
  for (let round = 0; round < RUNS; round++) {
    if (cRun) c = Math.max(c, cRun());
    xev = Math.max(xev, enter.run());
    loop = Math.max(loop, await loopRun());
  }
  enter.close();
  const extra = { loop: Math.round(loop), ...(cRun ? { ratio_c_loop: Math.round((loop / c) * 1000) / 1000 } : {}), ops: OPS, batch: BATCH, rounds: RUNS };
  emit(args, result({ name: 'nop-batch', backend: 'io_uring', mode, unit: 'ops/s', xev, c: cRun ? c : undefined, extra }));
}
