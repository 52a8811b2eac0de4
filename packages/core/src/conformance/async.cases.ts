import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { Completion, CallbackAction } from '../completion.js';
import { ECANCELED } from '../errors.js';
import { Async } from '../watcher/async.js';
import type { ConformanceGroup } from './context.js';
import { assertErrno } from './helpers.js';

/** A worker that notifies the token `count` times, `spacingMs` apart (0: as fast as it can). */
const NOTIFIER = String.raw`
const { workerData } = require('node:worker_threads');
const { token, count, spacingMs } = workerData;
function notify() {
  if (token.shared) {
    const word = new Int32Array(token.shared);
    Atomics.add(word, 0, 1);
    Atomics.notify(word, 0);
  } else {
    // token.module is an absolute path (Async.token resolves it), so plain require finds it.
    const mod = require(token.module);
    (mod.backend || mod.default).notify(token);
  }
}
const sleeper = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; i < count; i++) {
  if (spacingMs) Atomics.wait(sleeper, 0, 0, spacingMs);
  notify();
}
`;

function startNotifier(token: unknown, count: number, spacingMs = 0): Promise<void> {
  const worker = new Worker(NOTIFIER, { eval: true, workerData: { token, count, spacingMs } });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`notifier exited with ${code}`))));
  });
}

export const asyncCases: ConformanceGroup = {
  name: 'rule 7: async',
  cases: [
    {
      name: 'a notify before the wait is not lost',
      async run(t) {
        const loop = t.loop();
        const a = new Async(loop);
        t.defer(() => a.close());
        a.notify();
        let result = -1;
        a.wait(new Completion(), null, (_u, _l, _c, r) => void (result = r));
        await t.run(loop);
        assert.equal(result, 0);
      },
    },
    {
      name: 'a notify from the loop thread wakes the waiter',
      async run(t) {
        const loop = t.loop();
        const a = new Async(loop);
        t.defer(() => a.close());
        let woke = false;
        a.wait(new Completion(), null, () => void (woke = true));
        await t.run(loop, 'no_wait');
        assert.equal(woke, false, 'nothing before the notify');
        a.notify();
        await t.run(loop);
        assert.equal(woke, true);
      },
    },
    {
      name: 'N notifies before a tick coalesce into one callback',
      async run(t) {
        const loop = t.loop();
        const a = new Async(loop);
        t.defer(() => a.close());
        let calls = 0;
        a.wait(new Completion(), null, () => void calls++);
        for (let i = 0; i < 10; i++) a.notify();
        await t.run(loop);
        assert.equal(calls, 1);
        let again = false;
        a.wait(new Completion(), null, () => void (again = true));
        await t.run(loop, 'no_wait');
        assert.equal(again, false, 'the coalesced notifies were all consumed');
        a.notify();
        await t.run(loop);
        assert.ok(again);
      },
    },
    {
      name: 'a notify from a worker_threads worker wakes the loop',
      async run(t) {
        const loop = t.loop();
        const a = new Async(loop);
        t.defer(() => a.close());
        let woke = false;
        a.wait(new Completion(), null, () => void (woke = true));
        const done = startNotifier(a.token(), 1, 20);
        await t.run(loop);
        assert.ok(woke);
        await done;
      },
    },
    {
      name: 'notifies from four workers coalesce and the last one is never lost',
      async run(t) {
        const loop = t.loop();
        const a = new Async(loop);
        t.defer(() => a.close());
        const workers = Array.from({ length: 4 }, () => startNotifier(a.token(), 250));
        let finished = false;
        void Promise.all(workers).then(() => {
          finished = true;
        });
        let calls = 0;
        // Wait until all workers exited, then one more tick must see a callback for any late notify.
        const c = new Completion();
        a.wait(c, null, () => {
          calls++;
          return finished ? CallbackAction.disarm : CallbackAction.rearm;
        });
        const deadline = performance.now() + 20_000;
        while (!finished && performance.now() < deadline) {
          // A blocking run could wait forever once the workers stop notifying, and the workers' exit
          // events need Node's loop: poll without waiting instead.
          if (t.mode === 'blocking') loop.runBlocking('no_wait');
          await new Promise((r) => setTimeout(r, 2));
        }
        assert.ok(finished, 'the workers finished');
        if (c.state === 'active') {
          a.notify();
          await t.run(loop);
        }
        assert.ok(calls >= 1 && calls <= 1001, `${calls} callbacks for 1,000 notifies`);
      },
    },
    {
      name: 'a waiter that rearms waits for the next notify',
      async run(t) {
        const loop = t.loop();
        const a = new Async(loop);
        t.defer(() => a.close());
        let calls = 0;
        a.wait(new Completion(), null, () => (++calls < 3 ? CallbackAction.rearm : CallbackAction.disarm));
        for (let i = 0; i < 3; i++) {
          a.notify();
          await t.run(loop, 'once');
        }
        assert.equal(calls, 3);
      },
    },
    {
      name: 'rule 5: cancelling a pending async wait gives ECANCELED and the cancel 0',
      async run(t) {
        const loop = t.loop();
        const a = new Async(loop);
        t.defer(() => a.close());
        const c = new Completion();
        let waitResult = 1;
        let cancelResult = 1;
        a.wait(c, null, (_u, _l, _c, r) => void (waitResult = r));
        await t.run(loop, 'no_wait');
        loop.add(new Completion().prepCancel(c).setCallback((_u, _l, _c, r) => void (cancelResult = r)));
        await t.run(loop);
        assert.equal(waitResult, ECANCELED);
        assert.equal(cancelResult, 0);
      },
    },
    {
      name: 'closing an async handle completes its pending wait with ECANCELED',
      async run(t) {
        const loop = t.loop();
        const a = new Async(loop);
        let result = 1;
        a.wait(new Completion(), null, (_u, _l, _c, r) => void (result = r));
        await t.run(loop, 'no_wait');
        a.close();
        await t.run(loop);
        assertErrno(result, 'ECANCELED');
      },
    },
  ],
};
