import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Completion } from '../completion.js';
import { ECANCELED } from '../errors.js';
import { TASK_FAILED, ThreadPool } from '../watcher/thread-pool.js';
import type { CaseContext, ConformanceGroup } from './context.js';

/** Writes a task module into the case's temp dir and returns its path. */
function taskModule(t: CaseContext): string {
  const file = join(t.tmpdir(), 'tasks.mjs');
  writeFileSync(
    file,
    [
      'export function square(x) { return x * x; }',
      'export function fail(message) { throw new Error(message); }',
      'export function spin(ms) { const end = Date.now() + ms; while (Date.now() < end); return ms; }',
      'export default function hello(name) { return `hello ${name}`; }',
    ].join('\n'),
  );
  return file;
}

function pool(t: CaseContext, loop: import('../loop.js').Loop, size: number): ThreadPool {
  const p = new ThreadPool(loop, { size });
  t.defer(() => p.close());
  return p;
}

export const threadPoolCases: ConformanceGroup = {
  name: 'rule 9: thread pool',
  cases: [
    {
      name: 'a task runs on a worker and its result returns as a completion',
      async run(t) {
        const loop = t.loop();
        const file = taskModule(t);
        const p = pool(t, loop, 1);
        const c = new Completion();
        let result = -1;
        p.submit(c, { module: file, exportName: 'square', args: [12] }, null, (_u, _l, _c, r) => void (result = r));
        await t.run(loop);
        assert.equal(result, 0);
        assert.equal(c.value, 144);
      },
    },
    {
      name: 'the default export runs when no export is named',
      async run(t) {
        const loop = t.loop();
        const p = pool(t, loop, 1);
        const c = new Completion();
        p.submit(c, { module: taskModule(t), args: ['xev'] }, null, () => {});
        await t.run(loop);
        assert.equal(c.value, 'hello xev');
      },
    },
    {
      name: 'a task that throws completes with TASK_FAILED and the error',
      async run(t) {
        const loop = t.loop();
        const p = pool(t, loop, 1);
        const c = new Completion();
        let result = 0;
        p.submit(c, { module: taskModule(t), exportName: 'fail', args: ['bad input'] }, null, (_u, _l, _c, r) => void (result = r));
        await t.run(loop);
        assert.equal(result, TASK_FAILED);
        assert.match(String((c.value as Error).message), /bad input/);
      },
    },
    {
      name: 'a missing export is a task error, not a crash',
      async run(t) {
        const loop = t.loop();
        const p = pool(t, loop, 1);
        const c = new Completion();
        let result = 0;
        p.submit(c, { module: taskModule(t), exportName: 'nope' }, null, (_u, _l, _c, r) => void (result = r));
        await t.run(loop);
        assert.equal(result, TASK_FAILED);
        assert.match(String((c.value as Error).message), /no function export nope/);
      },
    },
    {
      name: '40 tasks on 2 workers all return the right values',
      async run(t) {
        const loop = t.loop();
        const file = taskModule(t);
        const p = pool(t, loop, 2);
        const cs = Array.from({ length: 40 }, (_, i) => {
          const c = new Completion<number>(i);
          p.submit(c, { module: file, exportName: 'square', args: [i] }, i, () => {});
          return c;
        });
        await t.run(loop);
        cs.forEach((c, i) => assert.equal(c.value, i * i));
      },
    },
    {
      name: 'rule 5: cancelling a task no worker has taken gives ECANCELED',
      async run(t) {
        const loop = t.loop();
        const file = taskModule(t);
        const p = new ThreadPool(loop, { size: 1, perWorker: 1 });
        t.defer(() => p.close());
        p.submit(new Completion(), { module: file, exportName: 'spin', args: [100] }, null, () => {});
        const queued = new Completion();
        let taskResult = 1;
        let cancelResult = 1;
        p.submit(queued, { module: file, exportName: 'square', args: [2] }, null, (_u, _l, _c, r) => void (taskResult = r));
        loop.add(new Completion().prepCancel(queued).setCallback((_u, _l, _c, r) => void (cancelResult = r)));
        await t.run(loop);
        assert.equal(taskResult, ECANCELED);
        assert.equal(cancelResult, 0);
      },
    },
  ],
};
