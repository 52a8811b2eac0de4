import { OpCode as Op } from '@xev/core';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { backend as epoll } from '../src/index.js';
import { expectNoLeakedDescriptors } from './leaks.js';
import { OpCode, Ring } from './ring.js';

expectNoLeakedDescriptors();

const E = constants.errno;

describe('epoll backend basics', () => {
  let ring: Ring;
  afterEach(() => ring?.close());

  it('probes usable and declares its modes and capabilities', () => {
    const p = epoll.probe();
    expect(p.usable).toBe(true);
    expect(epoll.name).toBe('epoll');
    expect(epoll.modes).toEqual(['attached', 'blocking']);
    ring = new Ring('blocking');
    expect(Object.values(ring.backend.capabilities).every((v) => v === false)).toBe(true);
  });

  it('runs on the build it was asked for (the sanitizer build under test:asan)', () => {
    ring = new Ring('blocking');
    const maps = readFileSync('/proc/self/maps', 'utf8');
    if (process.env.XEV_EPOLL_DEBUG === '1') {
      expect(maps).toContain('build/Debug/xev_epoll.node');
      expect(maps).toMatch(/libasan\.so/);
    } else {
      expect(maps).toMatch(/build\/Release\/xev_epoll\.node|prebuilds\/linux-[^/]+\/[^/]*\.node/);
    }
  });

  it('reports a missing addon through probe, naming every attempt, without throwing at import', () => {
    const script = `import('@xev/backend-epoll').then(({ backend }) => console.log(JSON.stringify(backend.probe())))`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, XEV_EPOLL_ADDON: '/nonexistent/xev_epoll.node' },
      encoding: 'utf8',
    });
    const probe = JSON.parse(out);
    expect(probe.usable).toBe(false);
    expect(probe.message).toMatch(/XEV_EPOLL_ADDON|nonexistent/);
  });

  it('completes nop, and rejects unknown ops, bad slots and bad handles as completions', async () => {
    ring = new Ring('blocking');
    expect((await ring.run(OpCode.nop)).result).toBe(0);
    expect((await ring.run(Op.timer)).result).toBe(-E.EINVAL);
    expect((await ring.run(99)).result).toBe(-E.EINVAL);
    expect((await ring.run(OpCode.recv, { handle: -1, buffer: new Uint8Array(1) })).result).toBe(-E.EBADF);
    expect((await ring.run(OpCode.recv, { handle: 1.5, buffer: new Uint8Array(1) })).result).toBe(-E.EBADF);
    expect((await ring.run(OpCode.recv, { handle: 100000, buffer: new Uint8Array(1) })).result).toBe(-E.EBADF);
    expect((await ring.run(OpCode.close, { handle: 99999 })).result).toBe(-E.EBADF);
    // Huge descriptor numbers cost an EBADF, not a per-descriptor table that large.
    const rss = process.memoryUsage().rss;
    for (let i = 0; i < 50; i++) {
      const handle = 16_000_000 + i * 1000;
      expect((await ring.run(OpCode.pread, { handle, buffer: new Uint8Array(1) })).result).toBe(-E.EBADF);
      expect(ring.backend.closeSync(handle)).toBe(-E.EBADF);
    }
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 << 20);
    expect((await ring.run(OpCode.cancel, { target: 200000 })).result).toBe(-E.ENOENT);
    const bad = ring.stage(OpCode.nop, { slot: -3 });
    ring.enter();
    expect(ring.take(bad).result).toBe(-E.EINVAL);
  });

  it('rejects a non-buffer and a missing buffer with -EINVAL, a detached one with -EFAULT, never a crash', async () => {
    ring = new Ring('blocking');
    const fd = ring.backend.socket(4, 2);
    for (const buffer of ['text', 42, {}, [1, 2, 3], undefined]) {
      expect((await ring.run(OpCode.send, { handle: fd, buffer })).result).toBe(-E.EINVAL);
    }
    const detached = new Uint8Array(16);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    expect((await ring.run(OpCode.recv, { handle: fd, buffer: detached })).result).toBe(-E.EFAULT);
    expect((await ring.run(OpCode.connect, { handle: fd, aux: new Uint8Array(3) })).result).toBe(-E.EINVAL);
    expect((await ring.run(OpCode.connect, { handle: fd, aux: 'nope' })).result).toBe(-E.EINVAL);
    // A DataView works as a buffer.
    expect((await ring.run(OpCode.poll, { handle: fd, arg0: 4 })).result & 4).toBe(4);
    ring.backend.closeSync(fd);
  });

  it('throws TypeErrors for wrongly typed synchronous arguments, and errno for bad handles', () => {
    ring = new Ring('blocking');
    expect(() => ring.backend.bind(3, 'x' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => ring.backend.spawn(1 as unknown as string, [], {})).toThrow(TypeError);
    expect(() => ring.backend.spawn('sh', [1] as unknown as string[], {})).toThrow(TypeError);
    expect(() => ring.backend.enter(-1, 0)).toThrow(RangeError);
    expect(() => ring.backend.enter(100000, 0)).toThrow(RangeError);
    expect(ring.backend.listen(-5, 1)).toBe(-E.EBADF);
    expect(ring.backend.closeSync(123456)).toBe(-E.EBADF);
    expect(ring.backend.pid(0)).toBe(-E.EBADF);
    expect(ring.backend.socket(5 as 4, 1)).toBe(-E.EAFNOSUPPORT);
  });

  it('holds completions beyond cqEntries for the next enter', async () => {
    ring = new Ring('blocking', 16, 4);
    const slots = Array.from({ length: 10 }, () => ring.stage(OpCode.nop));
    expect(ring.enter()).toBe(4);
    expect(ring.enter()).toBe(4);
    expect(ring.enter()).toBe(2);
    expect(ring.order).toEqual(slots);
  });

  it('grows its records when slot numbers exceed the initial entries', async () => {
    ring = new Ring('blocking', 8);
    const slots = [0, 1000, 70000].map((slot) => ring.stage(OpCode.nop, { slot }));
    expect(ring.enter()).toBe(3);
    expect(ring.order).toEqual(slots);
  });

  it('waits at most waitMs in blocking mode, with sub-millisecond precision', () => {
    ring = new Ring('blocking');
    const h = ring.backend.asyncCreate();
    ring.stage(OpCode.asyncWait, { handle: h });
    const t = performance.now();
    expect(ring.enter(30)).toBe(0);
    expect(performance.now() - t).toBeGreaterThanOrEqual(29.5);
    // 0.3 ms waits: never shorter than asked, and (the fastest of 20, so load spikes do not count) well
    // under the 1 ms that a millisecond-granular epoll_wait would round up to.
    const waits = Array.from({ length: 20 }, () => {
      const start = performance.now();
      ring.enter(0.3);
      return performance.now() - start;
    });
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0.29);
    expect(Math.min(...waits)).toBeLessThan(0.9);
    ring.backend.closeSync(h);
    expect(ring.enter(0)).toBe(1);
  });

  it('reports destroyed instances clearly', () => {
    const r = new Ring('blocking');
    r.backend.destroy();
    expect(() => r.backend.enter(0, 0)).toThrow(/destroyed/);
    expect(r.backend.socket(4, 1)).toBe(-E.EBADF);
    r.backend.destroy();
  });
});

describe('epoll attached mode', () => {
  let ring: Ring;
  afterEach(() => ring?.close());

  it('calls onReady after armWake, no earlier than asked, with Node timers still running', async () => {
    ring = new Ring('attached');
    let ticks = 0;
    const interval = setInterval(() => ticks++, 1);
    const t0 = performance.now();
    let fired = 0;
    await new Promise<void>((resolve) => {
      ring.backend.attach(() => {
        fired = performance.now();
        resolve();
      });
      ring.backend.armWake(25);
    });
    clearInterval(interval);
    expect(fired - t0).toBeGreaterThanOrEqual(25);
    expect(fired - t0).toBeLessThan(200);
    // Node's timers kept running while the wake was armed (not a count: a loaded 2-core box may run few).
    expect(ticks).toBeGreaterThan(0);
  });

  it('a disarmed wake never calls back; a re-armed one replaces the earlier deadline', async () => {
    ring = new Ring('attached');
    let calls = 0;
    ring.backend.attach(() => calls++);
    ring.backend.armWake(10);
    ring.backend.armWake(-1);
    await new Promise((r) => setTimeout(r, 40));
    expect(calls).toBe(0);
    ring.backend.armWake(1000);
    ring.backend.armWake(5);
    await new Promise((r) => setTimeout(r, 40));
    expect(calls).toBe(1);
  });

  it('survives destroy() from onReady itself and from a microtask it queued', async () => {
    for (const fromMicrotask of [false, true]) {
      const r = new Ring('attached');
      await new Promise<void>((resolve) => {
        r.backend.attach(() => {
          const destroy = () => {
            r.backend.destroy();
            resolve();
          };
          if (fromMicrotask) queueMicrotask(destroy);
          else destroy();
        });
        r.backend.armWake(0);
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(() => r.backend.enter(0, 0)).toThrow(/destroyed/);
    }
  });

  it('a burst larger than one onReady pass takes is delivered over further wake-ups', async () => {
    ring = new Ring('attached', 64, 4); // onReady takes at most 4 completions per call
    const handles = Array.from({ length: 20 }, () => ring.backend.asyncCreate());
    const waits = handles.map((handle) => ring.stage(OpCode.asyncWait, { handle }));
    ring.enter();
    for (const handle of handles) epoll.notify(ring.backend.asyncToken(handle));
    const results = await ring.wait(waits, 3000);
    expect(results.every((r) => r.result === 0)).toBe(true);
    expect(ring.readyCalls).toBeGreaterThanOrEqual(5);
    for (const handle of handles) ring.backend.closeSync(handle);
  });

  it('runs microtasks queued by onReady before returning to libuv', async () => {
    ring = new Ring('attached');
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      ring.backend.attach(() => {
        order.push('ready');
        queueMicrotask(() => order.push('microtask'));
        setImmediate(() => {
          order.push('immediate');
          resolve();
        });
      });
      ring.backend.armWake(0);
    });
    expect(order).toEqual(['ready', 'microtask', 'immediate']);
  });
});

describe('epoll in worker threads', () => {
  it('a worker exits cleanly with attached and blocking loops left open or closed', async () => {
    const require = createRequire(import.meta.url);
    const paths = { core: require.resolve('@xev/core'), epoll: join(import.meta.dirname, '..', 'dist', 'index.cjs') };
    const source = `
      const { workerData, parentPort } = require('node:worker_threads');
      const { Loop, Completion, OpCode } = require(workerData.core);
      const { backend } = require(workerData.epoll);
      (async () => {
        let results = [];
        for (const mode of ['attached', 'blocking']) {
          const loop = new Loop({ backend, mode });
          loop.add(new Completion(null, (_u, _l, _c, r) => void results.push(r)).prep(OpCode.nop));
          if (mode === 'blocking') loop.runBlocking('until_done');
          else await loop.run('until_done');
          if (workerData.close) loop.close();
        }
        new Loop({ backend, mode: 'attached' }); // never run, never closed
        parentPort.postMessage(results);
      })();`;
    for (const close of [false, true]) {
      const worker = new Worker(source, { eval: true, workerData: { ...paths, close } });
      const message = new Promise((resolve) => worker.once('message', resolve));
      const code = await new Promise((resolve) => worker.once('exit', resolve));
      expect(await message).toEqual([0, 0]);
      expect(code).toBe(0);
    }
  });
});
