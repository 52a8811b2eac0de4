import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { Completion } from '../completion.js';
import { XevError } from '../errors.js';
import type { Loop } from '../loop.js';
import { Process } from '../watcher/process.js';
import type { ConformanceGroup } from './context.js';
import { assertErrno, busyWait } from './helpers.js';

/** Spawns `node -e script` with its output discarded. */
function node(loop: Loop, script: string): Process {
  return Process.spawn(loop, process.execPath, ['-e', script], { stdio: 'ignore' });
}

export const processCases: ConformanceGroup = {
  name: 'rule 10: process',
  cases: [
    {
      name: 'wait reports exit code 0',
      async run(t) {
        const loop = t.loop();
        const p = node(loop, 'process.exit(0)');
        t.defer(() => p.close());
        assert.ok(p.pid > 0);
        let result = -1;
        p.wait(new Completion(), null, (_u, _l, _c, r) => void (result = r));
        await t.run(loop);
        assert.equal(result, 0);
      },
    },
    {
      name: 'wait reports exit code 42',
      async run(t) {
        const loop = t.loop();
        const p = node(loop, 'process.exit(42)');
        t.defer(() => p.close());
        let result = -1;
        p.wait(new Completion(), null, (_u, _l, _c, r) => void (result = r));
        await t.run(loop);
        assert.equal(result, 42);
      },
    },
    {
      name: 'a child killed by SIGTERM reports 128 + 15 and the signal',
      async run(t) {
        const loop = t.loop();
        const p = node(loop, 'setTimeout(() => {}, 60000)');
        t.defer(() => p.close());
        const c = new Completion();
        let result = -1;
        p.wait(c, null, (_u, _l, _c, r) => void (result = r));
        if (t.mode === 'blocking') {
          // Node's timers do not run while the thread blocks: signal from here after the child started.
          busyWait(100);
          process.kill(p.pid, 'SIGTERM');
        } else {
          setTimeout(() => process.kill(p.pid, 'SIGTERM'), 100);
        }
        await t.run(loop);
        const sigterm = constants.signals.SIGTERM;
        assert.equal(result, 128 + sigterm);
        assert.equal(c.resultAux, sigterm);
      },
    },
    {
      name: 'a child that exited before the wait was added still reports its status',
      async run(t) {
        const loop = t.loop();
        const p = node(loop, 'process.exit(7)');
        t.defer(() => p.close());
        // Let the child exit (and, on the portable backend, Node notice) before waiting.
        await new Promise((r) => setTimeout(r, 500));
        let result = -1;
        p.wait(new Completion(), null, (_u, _l, _c, r) => void (result = r));
        await t.run(loop);
        assert.equal(result, 7);
      },
    },
    {
      name: 'waiting on an already-reaped child gives ECHILD',
      async run(t) {
        const loop = t.loop();
        const p = node(loop, 'process.exit(3)');
        t.defer(() => p.close());
        const results: number[] = [];
        p.wait(new Completion(), null, (_u, _l, _c, r) => void results.push(r));
        await t.run(loop);
        p.wait(new Completion(), null, (_u, _l, _c, r) => void results.push(r));
        await t.run(loop);
        assert.equal(results[0], 3);
        assertErrno(results[1], 'ECHILD', 'second wait');
      },
    },
    {
      name: 'the environment and working directory reach the child',
      async run(t) {
        const loop = t.loop();
        const dir = t.tmpdir();
        const p = Process.spawn(loop, process.execPath, ['-e', 'process.exit(process.env.XEV_CODE === "9" && process.cwd() === process.argv[1] ? 9 : 1)', dir], {
          stdio: 'ignore',
          cwd: dir,
          env: [`XEV_CODE=9`, `PATH=${process.env.PATH ?? ''}`],
        });
        t.defer(() => p.close());
        let result = -1;
        p.wait(new Completion(), null, (_u, _l, _c, r) => void (result = r));
        await t.run(loop);
        assert.equal(result, 9);
      },
    },
    {
      name: 'spawning a missing program fails with ENOENT, at spawn or at wait',
      async run(t) {
        const loop = t.loop();
        let p: Process;
        try {
          p = Process.spawn(loop, '/nonexistent/xev-no-such-program', [], { stdio: 'ignore' });
        } catch (error) {
          assert.ok(error instanceof XevError);
          assert.equal(error.code, 'ENOENT');
          return;
        }
        t.defer(() => p.close());
        let result = 0;
        p.wait(new Completion(), null, (_u, _l, _c, r) => void (result = r));
        await t.run(loop);
        assertErrno(result, 'ENOENT', 'wait');
      },
    },
    {
      name: 'rule 5: cancelling a pending wait gives ECANCELED; the child can still be reaped',
      async run(t) {
        const loop = t.loop();
        const p = node(loop, 'setTimeout(() => {}, 60000)');
        t.defer(() => p.close());
        const c = new Completion();
        let waitResult = 1;
        let cancelResult = 1;
        p.wait(c, null, (_u, _l, _c, r) => void (waitResult = r));
        await t.run(loop, 'no_wait');
        loop.add(new Completion().prepCancel(c).setCallback((_u, _l, _c, r) => void (cancelResult = r)));
        await t.run(loop);
        assertErrno(waitResult, 'ECANCELED', 'wait');
        assert.equal(cancelResult, 0);
        process.kill(p.pid, 'SIGKILL');
        let final = -1;
        p.wait(new Completion(), null, (_u, _l, _c, r) => void (final = r));
        await t.run(loop);
        assert.equal(final, 128 + constants.signals.SIGKILL);
      },
    },
  ],
};
