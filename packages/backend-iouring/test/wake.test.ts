import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { OpCode } from '@xev/core';
import { backend } from '../src/index.js';
import { Harness } from './harness.js';

const E = constants.errno;
const S = constants.signals;
const addonPath = join(__dirname, '..', 'build', process.env.XEV_IOURING_DEBUG === '1' ? 'Debug' : 'Release', 'xev_iouring.node');
const open: Harness[] = [];
function make(mode: 'attached' | 'blocking'): Harness {
  const h = new Harness(backend, mode);
  open.push(h);
  return h;
}
afterEach(() => {
  for (const h of open.splice(0)) h.backend.destroy();
});

/** Notifies `handle` `count` times from a worker thread, through the addon's own thread-safe notify. */
function notifyFromWorker(handle: number, count: number, delayMs = 0): Promise<void> {
  const code = `
    const { workerData: { path, handle, count, delayMs } } = require('node:worker_threads');
    const addon = require(path);
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    if (delayMs) Atomics.wait(sleeper, 0, 0, delayMs);
    for (let i = 0; i < count; i++) addon.notify(handle);`;
  const w = new Worker(code, { eval: true, workerData: { path: addonPath, handle, count, delayMs } });
  return new Promise((resolve, reject) => {
    w.once('error', reject);
    w.once('exit', (c) => (c === 0 ? resolve() : reject(new Error(`worker exited ${c}`))));
  });
}

for (const mode of ['attached', 'blocking'] as const) {
  describe(`io_uring ${mode}: async and process handles`, () => {
    it('async: a notify before the wait is kept; N notifies coalesce into one completion', async () => {
      const h = make(mode);
      const a = h.backend.asyncCreate();
      expect(a).toBeGreaterThanOrEqual(0);
      const token = h.backend.asyncToken(a);
      backend.notify(token);
      const w1 = h.stage(OpCode.asyncWait, { handle: a });
      expect(await h.until([w1])).toEqual([0]);
      for (let i = 0; i < 5; i++) backend.notify(token);
      const w2 = h.stage(OpCode.asyncWait, { handle: a });
      expect(await h.until([w2])).toEqual([0]);
      const w3 = h.stage(OpCode.asyncWait, { handle: a });
      h.enter(0);
      await new Promise((r) => setTimeout(r, 20));
      h.enter(0);
      expect(h.results.has(w3)).toBe(false);
      backend.notify(token);
      expect(await h.until([w3])).toEqual([0]);
      expect(h.backend.closeSync(a)).toBe(0);
    });

    it('async: notifies from worker threads wake a waiting enter', async () => {
      const h = make(mode);
      const a = h.backend.asyncCreate();
      const w = h.stage(OpCode.asyncWait, { handle: a });
      h.enter(0);
      const done = notifyFromWorker(a, 100, 30);
      if (mode === 'blocking') {
        // Waits in the kernel until the worker's first notify.
        const t0 = performance.now();
        const out = h.enter(5000);
        expect(out.map((c) => c[0])).toContain(w);
        expect(performance.now() - t0).toBeLessThan(4000);
      } else {
        await h.until([w]);
      }
      expect(h.results.get(w)!.result).toBe(0);
      await done;
      h.backend.closeSync(a);
    });

    it('async: cancel and close end a pending wait with ECANCELED', async () => {
      const h = make(mode);
      const a = h.backend.asyncCreate();
      const w1 = h.stage(OpCode.asyncWait, { handle: a });
      h.enter(0);
      const k = h.stage(OpCode.cancel, { target: w1 });
      expect(await h.until([w1, k])).toEqual([-E.ECANCELED, 0]);
      const w2 = h.stage(OpCode.asyncWait, { handle: a });
      h.enter(0);
      const c = h.stage(OpCode.close, { handle: a });
      expect(await h.until([w2, c])).toEqual([-E.ECANCELED, 0]);
    });

    it('process: exit codes, signals as 128 + signal with the signal in aux, ECHILD once reaped', async () => {
      const h = make(mode);
      const p3 = h.backend.spawn('/bin/sh', ['-c', 'exit 3'], { stdio: 'ignore' });
      const pk = h.backend.spawn('/bin/sleep', ['10'], { stdio: 'ignore' });
      expect(p3).toBeGreaterThanOrEqual(0);
      const pid = h.backend.pid(pk);
      expect(pid).toBeGreaterThan(0);
      const w3 = h.stage(OpCode.processWait, { handle: p3 });
      const wk = h.stage(OpCode.processWait, { handle: pk });
      h.enter(0);
      process.kill(pid, 'SIGTERM');
      await h.until([w3, wk]);
      expect(h.results.get(w3)).toMatchObject({ result: 3, aux: 0 });
      expect(h.results.get(wk)).toMatchObject({ result: 128 + S.SIGTERM, aux: S.SIGTERM });
      const again = h.stage(OpCode.processWait, { handle: p3 });
      expect(await h.until([again])).toEqual([-E.ECHILD]);
      h.backend.closeSync(p3);
      h.backend.closeSync(pk);
      expect(h.backend.pid(pk)).toBe(-E.EBADF);
    });

    it('process: env and cwd reach the child; a missing program is ENOENT', async () => {
      const h = make(mode);
      const p = h.backend.spawn('sh', ['-c', 'test "$XEV_T" = yes && test "$(pwd)" = /tmp && exit 9'], {
        cwd: '/tmp',
        env: ['XEV_T=yes', 'PATH=/usr/bin:/bin'],
        stdio: 'ignore',
      });
      expect(p).toBeGreaterThanOrEqual(0);
      const w = h.stage(OpCode.processWait, { handle: p });
      expect(await h.until([w])).toEqual([9]);
      h.backend.closeSync(p);
      expect(h.backend.spawn('/nonexistent/program', [], {})).toBe(-E.ENOENT);
    });

    it('process: a cancelled wait ends ECANCELED and the child can still be reaped', async () => {
      const h = make(mode);
      const p = h.backend.spawn('/bin/sleep', ['10'], { stdio: 'ignore' });
      const w = h.stage(OpCode.processWait, { handle: p });
      h.enter(0);
      const k = h.stage(OpCode.cancel, { target: w });
      expect(await h.until([w, k])).toEqual([-E.ECANCELED, 0]);
      process.kill(h.backend.pid(p), 'SIGKILL');
      const w2 = h.stage(OpCode.processWait, { handle: p });
      expect(await h.until([w2])).toEqual([128 + S.SIGKILL]);
      h.backend.closeSync(p);
    });
  });
}

describe('io_uring attached: waking Node', () => {
  it('onReady runs when a completion arrives, inside a callback scope (microtasks run before the next macrotask)', async () => {
    const h = make('attached');
    const order: string[] = [];
    let ready!: () => void;
    const woke = new Promise<void>((r) => (ready = r));
    h.backend.attach(() => {
      order.push('ready');
      h.enter(0);
      void Promise.resolve().then(() => order.push('microtask'));
      ready();
    });
    h.backend.setRef(true);
    const a = h.backend.asyncCreate();
    const w = h.stage(OpCode.asyncWait, { handle: a });
    h.enter(0);
    setTimeout(() => backend.notify(h.backend.asyncToken(a)), 10);
    await woke;
    setImmediate(() => order.push('immediate'));
    await new Promise((r) => setTimeout(r, 10));
    expect(h.results.get(w)?.result).toBe(0);
    expect(order.slice(0, 2)).toEqual(['ready', 'microtask']);
    h.backend.setRef(false);
    h.backend.closeSync(a);
  });

  it('armWake calls onReady after the delay; re-arming moves it; -1 disarms; no spurious wake-ups', async () => {
    const h = make('attached');
    const wakes: number[] = [];
    const t0 = performance.now();
    h.backend.attach(() => {
      wakes.push(performance.now() - t0);
      h.enter(0);
    });
    h.backend.setRef(true);
    h.backend.armWake(200);
    h.backend.armWake(30); // moved earlier
    await new Promise((r) => setTimeout(r, 120));
    expect(wakes.length).toBe(1);
    expect(wakes[0]).toBeGreaterThanOrEqual(29);
    h.backend.armWake(40);
    h.backend.armWake(-1);
    await new Promise((r) => setTimeout(r, 100));
    expect(wakes.length).toBe(1);
    h.backend.armWake(2.5); // fractional milliseconds
    await new Promise((r) => setTimeout(r, 50));
    expect(wakes.length).toBe(2);
    h.backend.setRef(false);
  });

  it('setRef(false) lets Node exit with a wake armed; setRef(true) keeps it alive until the wake', () => {
    const script = (ref: boolean) => `
      const a = require(${JSON.stringify(addonPath)});
      const i = new a.Instance(8, 0);
      i.init(new Float64Array(48), new Array(16).fill(null), new Float64Array(24));
      const t0 = Date.now();
      i.attach(() => { i.enter(0, 0); console.log('woke', Date.now() - t0 >= 250); i.setRef(false); });
      i.setRef(${ref});
      i.armWake(300);`;
    const unref = spawnSync(process.execPath, ['-e', script(false)], { encoding: 'utf8', timeout: 10_000 });
    expect(unref.status).toBe(0);
    expect(unref.stdout).toBe('');
    const ref = spawnSync(process.execPath, ['-e', script(true)], { encoding: 'utf8', timeout: 10_000 });
    expect(ref.status).toBe(0);
    expect(ref.stdout.trim()).toBe('woke true');
  });

  it('destroy() from inside onReady, or from a microtask it queued, is safe', async () => {
    for (const fromMicrotask of [false, true]) {
      const b = backend.create({ entries: 8, mode: 'attached' });
      b.init({ sq: new Float64Array(48), objects: new Array(16).fill(null), cq: new Float64Array(24), sqEntries: 8, cqEntries: 8 });
      let destroyed!: () => void;
      const done = new Promise<void>((r) => (destroyed = r));
      b.attach(() => {
        b.enter(0, 0);
        const kill = () => {
          b.setRef(false);
          b.destroy();
          destroyed();
        };
        if (fromMicrotask) void Promise.resolve().then(kill);
        else kill();
      });
      b.setRef(true);
      b.armWake(1);
      await done;
      await new Promise((r) => setTimeout(r, 5));
    }
  });

  // An attached instance holds its onReady function strongly (as libuv holds an active handle), so it
  // lives until destroy(); one that was never attached is released by the garbage collector.
  it('an instance garbage-collected without destroy() releases its ring', () => {
    const script = `
      const a = require(${JSON.stringify(addonPath)});
      const fs = require('node:fs');
      const rings = () => fs.readdirSync('/proc/self/fd').filter((f) => { try { return fs.readlinkSync('/proc/self/fd/' + f).includes('io_uring'); } catch { return false; } }).length;
      const before = rings();
      (() => {
        for (let k = 0; k < 20; k++) {
          const i = new a.Instance(8, 0);
          i.init(new Float64Array(48), new Array(16).fill(null), new Float64Array(24));
          i.armWake(1000);
        }
      })();
      setTimeout(() => { globalThis.gc(); setTimeout(() => { globalThis.gc(); setTimeout(() => console.log(rings() - before), 50); }, 50); }, 10);`;
    const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Number(r.stdout.trim())).toBe(0);
  });

  it('an exception thrown by onReady is an uncaught exception, as from any Node callback', () => {
    const script = `
      const a = require(${JSON.stringify(addonPath)});
      const i = new a.Instance(8, 0);
      i.init(new Float64Array(48), new Array(16).fill(null), new Float64Array(24));
      process.on('uncaughtException', (e) => { console.log('caught', e.message); process.exit(0); });
      i.attach(() => { i.enter(0, 0); throw new Error('from onReady'); });
      i.setRef(true);
      i.armWake(5);`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(r.stdout.trim()).toBe('caught from onReady');
  });
});

describe('io_uring in worker threads', () => {
  it('a worker that exits (or is terminated) with an attached instance, destroyed or not, never crashes the process', async () => {
    const code = (how: string) => `
      const { parentPort } = require('node:worker_threads');
      const a = require(${JSON.stringify(addonPath)});
      const i = new a.Instance(8, 0);
      i.init(new Float64Array(48), new Array(16).fill(null), new Float64Array(24));
      i.attach(() => i.enter(0, 0));
      i.setRef(true);
      i.armWake(1);
      setTimeout(() => {
        ${how === 'destroy' ? 'i.setRef(false); i.destroy();' : ''}
        ${how === 'hang' ? 'parentPort.postMessage("up");' : 'process.exit(0);'}
      }, 5);`;
    for (let round = 0; round < 5; round++) {
      for (const how of ['destroy', 'exit', 'hang']) {
        const w = new Worker(code(how), { eval: true });
        const exited = new Promise<number>((resolve, reject) => {
          w.once('error', reject);
          w.once('exit', resolve);
        });
        if (how === 'hang') {
          await new Promise((r) => w.once('message', r));
          await w.terminate();
        }
        await exited;
      }
    }
  });
});

describe('io_uring blocking: waiting in the kernel', () => {
  it('enter(0, ms) waits about ms for nothing; enter(0, -1) waits until a completion', async () => {
    const h = make('blocking');
    let t0 = performance.now();
    expect(h.enter(30)).toEqual([]);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(28);
    expect(waited).toBeLessThan(1000);
    const a = h.backend.asyncCreate();
    const w = h.stage(OpCode.asyncWait, { handle: a });
    const done = notifyFromWorker(a, 1, 50);
    t0 = performance.now();
    const out = h.enter(-1);
    expect(out).toEqual([[w, 0, 0]]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(20);
    await done;
    h.backend.closeSync(a);
  });
});

describe('io_uring with SQPOLL', () => {
  it('declares sqpoll from the kernel probe and runs operations on a polled submission queue', async () => {
    expect(backend.create).toBeTypeOf('function');
    const h = new Harness(backend, 'attached', 64, 64, true);
    open.push(h);
    expect(h.backend.capabilities.sqpoll).toBe(true);
    const slots = Array.from({ length: 200 }, (_, i) => i);
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 50; i++) h.stage(OpCode.nop, {}, round * 50 + i);
      h.enter(0);
    }
    const results = await h.until(slots);
    expect(results.every((r) => r === 0)).toBe(true);
    const a = h.backend.asyncCreate();
    const w = h.stage(OpCode.asyncWait, { handle: a });
    h.enter(0);
    backend.notify(h.backend.asyncToken(a));
    expect(await h.until([w])).toEqual([0]);
    h.backend.closeSync(a);
  });
});
