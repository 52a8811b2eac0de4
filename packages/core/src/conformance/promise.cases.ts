import assert from 'node:assert/strict';
import { OpCode } from '../backend/layout.js';
import { Completion } from '../completion.js';
import { XevError } from '../errors.js';
import type { Loop } from '../loop.js';
import { perform, sleep, waitProcess } from '../promise/index.js';
import { Process } from '../watcher/process.js';
import type { CaseContext, ConformanceGroup } from './context.js';
import { tcpPair } from './helpers.js';

/** Drives the loop while `promise` is pending (a blocking loop makes no progress on its own). */
async function settle<T>(t: CaseContext, loop: Loop, promise: Promise<T>): Promise<T> {
  if (t.mode === 'blocking') loop.runBlocking('until_done');
  return promise;
}

export const promiseCases: ConformanceGroup = {
  name: 'the Promise API',
  cases: [
    {
      name: 'await sleep(loop, ms) resolves no earlier than ms',
      async run(t) {
        const loop = t.loop();
        const start = performance.now();
        await settle(t, loop, sleep(loop, 15));
        assert.ok(performance.now() - start >= 15);
      },
    },
    {
      name: 'aborting a sleep cancels the timer in the loop and rejects with ECANCELED',
      async run(t) {
        const loop = t.loop();
        const controller = new AbortController();
        const start = performance.now();
        const slept = sleep(loop, 10_000, { signal: controller.signal });
        controller.abort(new Error('changed my mind'));
        const error = await settle(t, loop, slept).then(
          () => assert.fail('resolved'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof XevError);
        assert.equal(error.code, 'ECANCELED');
        assert.match(String((error as { cause?: Error }).cause?.message), /changed my mind/);
        assert.ok(performance.now() - start < 5000);
        assert.equal(loop.activeCount, 0, 'nothing left behind');
      },
    },
    {
      name: 'an already-aborted signal rejects without adding anything',
      async run(t) {
        const loop = t.loop();
        await assert.rejects(sleep(loop, 1, { signal: AbortSignal.abort() }), (e) => e instanceof XevError && e.code === 'ECANCELED');
        assert.equal(loop.activeCount, 0);
      },
    },
    {
      name: 'aborting a pending recv cancels it in the backend',
      async run(t) {
        const loop = t.loop();
        const { server } = await tcpPair(t, loop);
        const controller = new AbortController();
        const pending = perform(loop, new Completion().prep(OpCode.recv, server, new Uint8Array(8)), { signal: controller.signal });
        if (t.mode === 'blocking') loop.runBlocking('no_wait');
        else await loop.run('no_wait');
        controller.abort();
        await assert.rejects(settle(t, loop, pending), (e) => e instanceof XevError && e.code === 'ECANCELED');
      },
    },
    {
      name: 'a failed operation rejects with a typed XevError',
      async run(t) {
        const loop = t.loop();
        const failed = perform(loop, new Completion().prep(OpCode.recv, 987_654, new Uint8Array(8)));
        await assert.rejects(settle(t, loop, failed), (e) => e instanceof XevError && e.code === 'EBADF' && e.errno > 0);
      },
    },
    {
      name: 'await waitProcess resolves with the exit status',
      async run(t) {
        const loop = t.loop();
        const p = Process.spawn(loop, process.execPath, ['-e', 'process.exit(5)'], { stdio: 'ignore' });
        t.defer(() => p.close());
        const status = await settle(t, loop, waitProcess(p));
        assert.deepEqual(status, { code: 5, signal: 0 });
      },
    },
  ],
};
