import assert from 'node:assert/strict';
import { Completion } from '../completion.js';
import { OpCode } from '../backend/layout.js';
import { XevUsageError } from '../errors.js';
import { Timer } from '../watcher/timer.js';
import type { ConformanceGroup } from './context.js';
import { busyWait, op } from './helpers.js';

const timer = new Timer();

export const loopCases: ConformanceGroup = {
  name: 'rule 1: loop',
  cases: [
    {
      name: 'the loop runs on the backend it was asked for',
      run(t) {
        const loop = t.loop();
        assert.equal(loop.backendName, t.backend.name);
        assert.equal(loop.mode, t.mode);
      },
    },
    {
      name: 'run(no_wait) with nothing active returns at once',
      async run(t) {
        const loop = t.loop();
        const start = performance.now();
        await t.run(loop, 'no_wait');
        assert.ok(performance.now() - start < 100);
      },
    },
    {
      name: 'run(no_wait) never waits for a timer that is not due',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        let fired = false;
        timer.run(loop, c, 10_000, null, () => void (fired = true));
        const start = performance.now();
        await t.run(loop, 'no_wait');
        assert.ok(performance.now() - start < 1000, 'no_wait returned promptly');
        assert.equal(fired, false);
        timer.cancel(loop, c, new Completion(), null, () => {});
        await t.run(loop);
      },
    },
    {
      name: 'run(once) returns after a callback ran, leaving later timers active',
      async run(t) {
        const loop = t.loop();
        let fired = 0;
        timer.run(loop, new Completion(), 1, null, () => void fired++);
        const late = new Completion();
        timer.run(loop, late, 10_000, null, () => void fired++);
        await t.run(loop, 'once');
        assert.equal(fired, 1);
        assert.equal(late.state, 'active');
        timer.cancel(loop, late, new Completion(), null, () => {});
        await t.run(loop);
        assert.equal(fired, 2, 'the cancelled timer ran its callback with ECANCELED');
      },
    },
    {
      name: 'run(until_done) runs until nothing is active',
      async run(t) {
        const loop = t.loop();
        let fired = 0;
        for (let i = 0; i < 5; i++) timer.run(loop, new Completion(), i * 2, null, () => void fired++);
        await t.run(loop, 'until_done');
        assert.equal(fired, 5);
        assert.equal(loop.activeCount, 0);
      },
    },
    {
      name: 'run(until_done) with nothing active returns at once',
      async run(t) {
        const loop = t.loop();
        await t.run(loop);
        assert.equal(loop.activeCount, 0);
      },
    },
    {
      name: 'now() is cached during a tick and moves between ticks',
      async run(t) {
        const loop = t.loop();
        const seen: number[] = [];
        timer.run(loop, new Completion(), 1, null, (_u, l) => {
          seen.push(l.now());
          busyWait(5);
          seen.push(l.now());
        });
        await t.run(loop);
        assert.equal(seen[0], seen[1], 'now() did not move inside one callback');
        timer.run(loop, new Completion(), 5, null, (_u, l) => void seen.push(l.now()));
        await t.run(loop);
        assert.ok(seen[2] > seen[0], 'now() moved on the next tick');
      },
    },
    {
      name: 'updateNow() refreshes the cached clock',
      async run(t) {
        const loop = t.loop();
        let before = 0;
        let after = 0;
        timer.run(loop, new Completion(), 0, null, (_u, l) => {
          before = l.now();
          busyWait(3);
          l.updateNow();
          after = l.now();
        });
        await t.run(loop);
        assert.ok(after - before >= 2.5, `updateNow moved the clock by ${after - before} ms`);
      },
    },
    {
      name: 'nowNs() is a monotonic nanosecond clock',
      run(t) {
        const loop = t.loop();
        const a = loop.nowNs();
        busyWait(2);
        const b = loop.nowNs();
        assert.ok(b - a >= 1_500_000 && b - a < 1_000_000_000, `2 ms measured as ${b - a} ns`);
      },
    },
    {
      name: 'a nested run from a callback is an error, and the loop goes on',
      async run(t) {
        const loop = t.loop();
        let nested: unknown;
        let after = false;
        timer.run(loop, new Completion(), 0, null, (_u, l) => {
          try {
            if (t.mode === 'blocking') l.runBlocking('no_wait');
            else void l.run('no_wait').catch(() => {});
          } catch (error) {
            nested = error;
          }
        });
        timer.run(loop, new Completion(), 2, null, () => void (after = true));
        await t.run(loop);
        assert.ok(nested instanceof XevUsageError, 'nested run threw XevUsageError');
        assert.match((nested as Error).message, /already running/);
        assert.ok(after, 'the loop kept running');
      },
    },
    {
      name: 'stop() makes run return after the tick; the loop can be run again',
      async run(t) {
        const loop = t.loop();
        let second = false;
        timer.run(loop, new Completion(), 0, null, (_u, l) => l.stop());
        timer.run(loop, new Completion(), 50, null, () => void (second = true));
        await t.run(loop);
        assert.equal(second, false, 'run returned before the second timer');
        assert.equal(loop.activeCount, 1);
        await t.run(loop);
        assert.equal(second, true, 'running again finished the work');
      },
    },
    {
      name: 'run() with an unknown mode is an error',
      async run(t) {
        const loop = t.loop();
        assert.throws(() => (t.mode === 'blocking' ? loop.runBlocking('forever' as never) : void loop.run('forever' as never)), /run mode must be one of/);
        await t.run(loop);
      },
    },
    {
      name: 'close() with active completions is refused; nothing is dropped',
      async run(t) {
        const loop = t.loop();
        let fired = false;
        timer.run(loop, new Completion(), 1, null, () => void (fired = true));
        assert.throws(() => loop.close(), /active completion/);
        await t.run(loop);
        assert.ok(fired);
      },
    },
    {
      name: 'a nop completes with result 0 on the next tick',
      async run(t) {
        const loop = t.loop();
        const o = op(loop, OpCode.nop);
        assert.equal(o.done, false, 'adding does nothing until the next tick');
        await t.run(loop);
        assert.equal(o.done, true);
        assert.equal(o.result, 0);
      },
    },
    {
      name: '1,000 nops in one tick all complete',
      async run(t) {
        const loop = t.loop({ entries: 256 });
        const outcomes = Array.from({ length: 1000 }, () => op(loop, OpCode.nop));
        await t.run(loop);
        assert.ok(outcomes.every((o) => o.done && o.result === 0));
      },
    },
  ],
};
