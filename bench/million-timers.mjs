#!/usr/bin/env node
// million-timers: libxev's (and libuv's) timer benchmark. 10,000,000 timers whose timeouts grow by 1 ms
// every 1,000 timers (2 ms … 10,001 ms), all armed up front, run until the last one fired. The figure
// compared is the loop's own cost per timer — arming (init), firing (dispatch) and closing (cleanup) —
// excluding the time spent waiting for deadlines and, as in libxev's benchmark, the one-time allocation
// of the caller's reusable completions. Dispatch is measured as the CPU time the process used while the
// timers ran (process.cpuUsage), which excludes waiting on every backend alike: Node's event-loop
// utilization misses libuv's idle time when io_uring's task work interrupts epoll_wait with EINTR.
// Also reported: heap bytes per armed timer. The Node twin arms the same timers with setTimeout.
import { performance } from 'node:perf_hooks';
import { benchArgs, check, emit, result, runSide, targets } from './harness/common.mjs';

const args = benchArgs();
const COUNT = Math.max(1000, Math.round(10_000_000 * args.scale));

/** The libxev schedule: timer i fires after 1 + ceil((i + 1) / 1000) ms. */
function timeoutOf(i, state) {
  if (i % 1000 === 0) state.timeout++;
  return state.timeout;
}

/** User plus system CPU time, in milliseconds. */
function cpuMs(usage) {
  return (usage.user + usage.system) / 1000;
}

function heapUsed() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

async function xevSide(backend, mode) {
  const { Completion, Loop, Timer } = await import('@xev/core');
  const loop = new Loop({ backend, mode });
  const timer = new Timer();
  let fired = 0;
  const onFire = () => {
    fired++;
  };
  const heapBefore = heapUsed();
  // As in libxev's benchmark, the caller allocates its completions up front (they are reusable
  // records), so init measures arming, not allocation; the memory figure includes them.
  const completions = new Array(COUNT);
  for (let i = 0; i < COUNT; i++) completions[i] = new Completion();
  const state = { timeout: 1 };
  const t0 = performance.now();
  for (let i = 0; i < COUNT; i++) timer.run(loop, completions[i], timeoutOf(i, state), null, onFire);
  const t1 = performance.now();
  const heapArmed = heapUsed();
  const t2 = performance.now();
  const cpu0 = process.cpuUsage();
  if (mode === 'blocking') loop.runBlocking('until_done');
  else await loop.run('until_done');
  const dispatch = cpuMs(process.cpuUsage(cpu0));
  const t3 = performance.now();
  loop.close();
  completions.length = 0;
  const t4 = performance.now();
  return { fired, init: t1 - t0, dispatch, idle: t3 - t2 - dispatch, cleanup: t4 - t3, bytes: (heapArmed - heapBefore) / COUNT };
}

async function nodeSide() {
  let fired = 0;
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const onFire = () => {
    if (++fired === COUNT) resolveDone();
  };
  const heapBefore = heapUsed();
  const state = { timeout: 1 };
  const t0 = performance.now();
  const handles = new Array(COUNT);
  for (let i = 0; i < COUNT; i++) handles[i] = setTimeout(onFire, timeoutOf(i, state));
  const t1 = performance.now();
  const heapArmed = heapUsed();
  const t2 = performance.now();
  const cpu0 = process.cpuUsage();
  await done;
  const dispatch = cpuMs(process.cpuUsage(cpu0));
  const t3 = performance.now();
  handles.length = 0;
  const t4 = performance.now();
  return { fired, init: t1 - t0, dispatch, idle: t3 - t2 - dispatch, cleanup: t4 - t3, bytes: (heapArmed - heapBefore) / COUNT };
}

const costNs = (r) => ((r.init + r.dispatch + r.cleanup) * 1e6) / COUNT;

if (args.side) {
  const r = args.side === 'node' ? await nodeSide() : await xevSide(args.backend, args.mode);
  console.log(JSON.stringify(r));
} else {
  const nodeArgs = ['--expose-gc', '--max-old-space-size=16384'];
  const scale = ['--scale', String(args.scale)];
  const node = runSide(import.meta.url, 'node', scale, nodeArgs);
  check(node.fired === COUNT, `node fired ${node.fired} of ${COUNT}`);
  for (const { backend, mode } of await targets(args)) {
    const xev = runSide(import.meta.url, 'xev', ['--backend', backend, '--mode', mode, ...scale], nodeArgs);
    check(xev.fired === COUNT, `xev fired ${xev.fired} of ${COUNT}`);
    const phases = (r) => `init ${r.init.toFixed(0)} ms, dispatch ${r.dispatch.toFixed(0)} ms, cleanup ${r.cleanup.toFixed(0)} ms, idle ${r.idle.toFixed(0)} ms`;
    emit(args, result({ name: 'million-timers', backend, mode, unit: 'ns/timer', better: 'lower', xev: costNs(xev), node: costNs(node), extra: { timers: COUNT, xev_phases: phases(xev), node_phases: phases(node) } }));
    emit(args, result({ name: 'million-timers-memory', backend, mode, unit: 'bytes/timer', better: 'lower', xev: xev.bytes, node: node.bytes, extra: { timers: COUNT } }));
  }
}
