import assert from 'node:assert/strict';
import { Completion, CallbackAction } from '../completion.js';
import { ECANCELED } from '../errors.js';
import { Timer } from '../watcher/timer.js';
import type { ConformanceGroup } from './context.js';
import { assertErrno, busyWait } from './helpers.js';

const timer = new Timer();

export const timerCases: ConformanceGroup = {
  name: 'rule 6: timers',
  cases: [
    {
      name: 'a timer fires no earlier than asked',
      async run(t) {
        const loop = t.loop();
        const start = performance.now();
        let at = 0;
        timer.run(loop, new Completion(), 20, null, () => void (at = performance.now()));
        await t.run(loop);
        assert.ok(at - start >= 20, `fired after ${(at - start).toFixed(2)} ms`);
        assert.ok(at - start < 1000, 'and not absurdly late');
      },
    },
    {
      name: 'a 0 ms timer fires on the next tick with result 0',
      async run(t) {
        const loop = t.loop();
        let result = -1;
        timer.run(loop, new Completion(), 0, null, (_u, _l, _c, r) => void (result = r));
        assert.equal(result, -1, 'not synchronously');
        await t.run(loop);
        assert.equal(result, 0);
      },
    },
    {
      name: 'timers with the same deadline fire in the order they were armed',
      async run(t) {
        const loop = t.loop();
        const order: number[] = [];
        // One clock reading for all, so their deadlines really are equal.
        const cs = Array.from({ length: 10 }, () => new Completion<number>());
        cs.forEach((c, i) => timer.run(loop, c, 5, i, (n) => void order.push(n as number)));
        await t.run(loop);
        assert.deepEqual(order, [...order].sort((a, b) => a - b));
      },
    },
    {
      name: '1,000 timers fire in deadline order',
      async run(t) {
        const loop = t.loop();
        const fired: number[] = [];
        let seed = 12345;
        for (let i = 0; i < 1000; i++) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          const delay = seed % 60;
          const c = new Completion<number>();
          timer.run(loop, c, delay, 0, (_u, _l, comp) => void fired.push(comp._key)); // _key: the deadline
        }
        await t.run(loop);
        assert.equal(fired.length, 1000);
        for (let i = 1; i < fired.length; i++) assert.ok(fired[i] >= fired[i - 1], `timer ${i} fired out of order`);
      },
    },
    {
      name: 'rule 3: a timer that rearms repeats after the same relative delay',
      async run(t) {
        const loop = t.loop();
        const times: number[] = [];
        timer.run(loop, new Completion(), 10, null, () => {
          times.push(performance.now());
          return times.length < 4 ? CallbackAction.rearm : CallbackAction.disarm;
        });
        const start = performance.now();
        await t.run(loop);
        assert.equal(times.length, 4);
        assert.ok(times[0] - start >= 10);
        for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 10, `interval ${i} was ${times[i] - times[i - 1]} ms`);
      },
    },
    {
      name: 'reset before the first tick moves the deadline; the callback runs once',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        const calls: string[] = [];
        timer.run(loop, c, 10_000, 'old', (u) => void calls.push(u as string));
        timer.reset(loop, c, new Completion(), 5, 'new', (u) => void calls.push(u as string));
        const start = performance.now();
        await t.run(loop);
        assert.deepEqual(calls, ['new']);
        assert.ok(performance.now() - start < 5000);
      },
    },
    {
      name: 'reset while active to a shorter delay fires at the new deadline',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        let at = 0;
        timer.run(loop, c, 10_000, null, () => assert.fail('the old deadline fired'));
        timer.run(loop, new Completion(), 5, null, (_u, l) => {
          timer.reset(l, c, new Completion(), 10, null, () => void (at = performance.now()));
        });
        const start = performance.now();
        await t.run(loop);
        assert.ok(at - start >= 15 && at - start < 5000, `fired ${at - start} ms after start`);
      },
    },
    {
      name: 'reset while active to a longer delay does not fire at the old deadline',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        const start = performance.now();
        let at = 0;
        timer.run(loop, c, 5, null, () => void (at = performance.now()));
        timer.reset(loop, c, new Completion(), 40, null, () => void (at = performance.now()));
        await t.run(loop);
        assert.ok(at - start >= 40, `fired after ${at - start} ms`);
      },
    },
    {
      name: 'reset after the timer fired arms it again',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        let n = 0;
        timer.run(loop, c, 1, null, () => void n++);
        await t.run(loop);
        assert.equal(c.state, 'dead');
        timer.reset(loop, c, new Completion(), 1, null, () => void n++);
        await t.run(loop);
        assert.equal(n, 2);
      },
    },
    {
      name: 'a timer armed after a 50 ms blocking callback measures from fresh time',
      async run(t) {
        const loop = t.loop();
        let armedAt = 0;
        let firedAt = 0;
        timer.run(loop, new Completion(), 0, null, (_u, l) => {
          busyWait(50);
          armedAt = performance.now();
          timer.run(l, new Completion(), 20, null, () => void (firedAt = performance.now()));
        });
        await t.run(loop);
        assert.ok(firedAt - armedAt >= 20, `fired ${(firedAt - armedAt).toFixed(2)} ms after arming, asked 20`);
      },
    },
    {
      name: 'misuse: a negative delay is refused and nothing is added',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        assert.throws(() => timer.run(loop, c, -1, null, () => {}), /finite number of milliseconds >= 0/);
        assert.equal(c.state, 'dead');
        assert.equal(loop.activeCount, 0);
        await t.run(loop);
      },
    },
    {
      name: 'misuse: a NaN or infinite delay is refused',
      async run(t) {
        const loop = t.loop();
        assert.throws(() => timer.run(loop, new Completion(), Number.NaN, null, () => {}), /finite number/);
        assert.throws(() => timer.run(loop, new Completion(), Infinity, null, () => {}), /finite number/);
        assert.throws(() => timer.run(loop, new Completion(), '5' as never, null, () => {}), /finite number/);
        await t.run(loop);
      },
    },
    {
      name: 'rule 5: cancelling a pending timer gives it ECANCELED and the cancel 0',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        let timerResult = 1;
        let cancelResult = 1;
        timer.run(loop, c, 10_000, null, (_u, _l, _c, r) => void (timerResult = r));
        timer.cancel(loop, c, new Completion(), null, (_u, _l, _c, r) => void (cancelResult = r));
        const start = performance.now();
        await t.run(loop);
        assert.equal(timerResult, ECANCELED);
        assert.equal(cancelResult, 0);
        assert.ok(performance.now() - start < 5000);
      },
    },
    {
      name: 'rule 5: cancelling a timer that already fired gives the cancel ENOENT',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        let fired = 0;
        timer.run(loop, c, 0, null, (_u, _l, _c, r) => void (fired = r === 0 ? fired + 1 : -1));
        await t.run(loop);
        let cancelResult = 1;
        timer.cancel(loop, c, new Completion(), null, (_u, _l, _c, r) => void (cancelResult = r));
        await t.run(loop);
        assert.equal(fired, 1, 'the timer fired once, successfully');
        assertErrno(cancelResult, 'ENOENT', 'cancel');
      },
    },
    {
      name: 'rule 5: cancelling a timer twice: the second cancel gets ENOENT',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        const results: number[] = [];
        timer.run(loop, c, 10_000, null, () => {});
        timer.cancel(loop, c, new Completion(), null, (_u, _l, _c, r) => void results.push(r));
        timer.cancel(loop, c, new Completion(), null, (_u, _l, _c, r) => void results.push(r));
        await t.run(loop);
        assert.equal(results[0], 0);
        assertErrno(results[1], 'ENOENT', 'second cancel');
      },
    },
    {
      name: 'rule 5: cancelling a completion that was never added gives ENOENT',
      async run(t) {
        const loop = t.loop();
        let result = 1;
        timer.cancel(loop, new Completion(), new Completion(), null, (_u, _l, _c, r) => void (result = r));
        await t.run(loop);
        assertErrno(result, 'ENOENT');
      },
    },
    {
      name: 'a cancelled timer can be armed again',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        const results: number[] = [];
        timer.run(loop, c, 10_000, null, (_u, _l, _c, r) => void results.push(r));
        timer.cancel(loop, c, new Completion(), null, () => {});
        await t.run(loop);
        timer.run(loop, c, 1, null, (_u, _l, _c, r) => void results.push(r));
        await t.run(loop);
        assert.deepEqual(results, [ECANCELED, 0]);
      },
    },
  ],
};
