import { constants } from 'node:os';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { backend as epoll } from '../src/index.js';
import { expectNoLeakedDescriptors } from './leaks.js';
import { OpCode, Ring } from './ring.js';

expectNoLeakedDescriptors();

const E = constants.errno;

for (const mode of ['blocking', 'attached'] as const) {
  describe(`epoll async and process handles (${mode})`, () => {
    let ring: Ring;
    afterEach(() => ring?.close());

    it('coalesces notifications into one completion, and wakes from a worker thread', async () => {
      ring = new Ring(mode);
      const h = ring.backend.asyncCreate();
      expect(h).toBeGreaterThan(2);
      const token = ring.backend.asyncToken(h);
      epoll.notify(token);
      epoll.notify(token);
      epoll.notify(token);
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
      epoll.notify(token);
      expect((await ring.run(OpCode.asyncWait, { handle: h })).result).toBe(-E.EBADF);
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
