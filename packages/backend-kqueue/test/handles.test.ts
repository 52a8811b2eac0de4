import { constants } from 'node:os';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { backend as kqueue } from '../src/index.js';
import { OpCode, Ring } from './ring.js';

const E = constants.errno;

for (const mode of ['blocking', 'attached'] as const) {
  describe(`kqueue async and process handles (${mode})`, () => {
    let ring: Ring;
    afterEach(() => ring?.close());

    it('coalesces notifications into one completion, and wakes from a worker thread', async () => {
      ring = new Ring(mode);
      const h = ring.backend.asyncCreate();
      expect(h).toBeGreaterThan(2);
      const token = ring.backend.asyncToken(h);
      kqueue.notify(token);
      kqueue.notify(token);
      kqueue.notify(token);
      expect((await ring.run(OpCode.asyncWait, { handle: h })).result).toBe(0);
      const w = ring.stage(OpCode.asyncWait, { handle: h });
      ring.enter();
      expect(ring.done.has(w)).toBe(false);
      const worker = new Worker(
        `const { workerData } = require('node:worker_threads');
         const b = require(workerData.path);
         b.backend.notify(workerData.token);`,
        { eval: true, workerData: { path: require.resolve('../dist/index.cjs'), token } },
      );
      await new Promise((resolve) => worker.on('exit', resolve));
      expect((await ring.wait(w))[0].result).toBe(0);
      expect(ring.backend.closeSync(h)).toBe(0);
      // A closed handle is no longer an async handle: notify ignores it, waits fail.
      kqueue.notify(token);
      expect((await ring.run(OpCode.asyncWait, { handle: h })).result).toBe(-E.EBADF);
    });

    it.runIf(process.platform === 'linux')("refuses the emulation's hidden descriptors as handles", async () => {
      ring = new Ring(mode);
      // An async handle is an (emulated) kqueue; its EVFILT_USER is an eventfd the emulation opened right
      // after it. Closing or using that number through the backend would break the emulation (a real
      // kqueue has no such descriptors): it is EBADF, like the backend's own kqueue.
      const h = ring.backend.asyncCreate();
      expect(ring.backend.closeSync(h + 1)).toBe(-E.EBADF);
      expect((await ring.run(OpCode.close, { handle: h + 1 })).result).toBe(-E.EBADF);
      kqueue.notify(ring.backend.asyncToken(h));
      expect((await ring.run(OpCode.asyncWait, { handle: h })).result).toBe(0);
      expect(ring.backend.closeSync(h)).toBe(0);
    });

    it('reaps exit codes and signals, and reports ECHILD for a handle already reaped', async () => {
      ring = new Ring(mode);
      const p = ring.backend.spawn('sh', ['-c', 'exit 3'], { stdio: 'ignore' });
      expect(p).toBeGreaterThan(2);
      expect(ring.backend.pid(p)).toBeGreaterThan(1);
      expect(await ring.run(OpCode.processWait, { handle: p })).toEqual({ result: 3, aux: 0 });
      expect((await ring.run(OpCode.processWait, { handle: p })).result).toBe(-E.ECHILD);
      expect(ring.backend.closeSync(p)).toBe(0);

      const q = ring.backend.spawn('sleep', ['10'], { stdio: 'ignore' });
      const wait = ring.stage(OpCode.processWait, { handle: q });
      ring.enter();
      expect(ring.done.has(wait)).toBe(false);
      process.kill(ring.backend.pid(q), 'SIGKILL');
      expect((await ring.wait(wait))[0]).toEqual({ result: 128 + 9, aux: 9 });
      ring.backend.closeSync(q);
    });

    it('passes cwd and env, and reports a missing program as -ENOENT', async () => {
      ring = new Ring(mode);
      const p = ring.backend.spawn('/bin/sh', ['-c', 'test "$PWD" = /tmp && test "$XEV" = yes'], {
        cwd: '/tmp',
        env: ['XEV=yes', 'PATH=/usr/bin:/bin'],
        stdio: 'ignore',
      });
      expect((await ring.run(OpCode.processWait, { handle: p })).result).toBe(0);
      ring.backend.closeSync(p);
      expect(ring.backend.spawn('/nonexistent/program', [], {})).toBe(-E.ENOENT);
      expect(ring.backend.spawn('no-such-program-xev', [], {})).toBe(-E.ENOENT);
    });
  });
}
