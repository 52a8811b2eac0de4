import assert from 'node:assert/strict';
import { Completion, CallbackAction } from '../completion.js';
import { OpCode } from '../backend/layout.js';
import { XevUsageError } from '../errors.js';
import { Timer } from '../watcher/timer.js';
import type { ConformanceGroup } from './context.js';
import { op } from './helpers.js';

const timer = new Timer();

export const completionCases: ConformanceGroup = {
  name: 'rules 2-4: completions and callbacks',
  cases: [
    {
      name: 'a completion is dead, then active once added, then dead in its callback',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        assert.equal(c.state, 'dead');
        let inCallback = '';
        c.prep(OpCode.nop).setCallback(() => void (inCallback = c.state));
        loop.add(c);
        assert.equal(c.state, 'active');
        await t.run(loop);
        assert.equal(inCallback, 'dead');
        assert.equal(c.state, 'dead');
      },
    },
    {
      name: 'adding an active completion is a clear error and the loop keeps working',
      async run(t) {
        const loop = t.loop();
        const c = new Completion().prep(OpCode.nop);
        let calls = 0;
        c.setCallback(() => void calls++);
        loop.add(c);
        assert.throws(() => loop.add(c), (e: unknown) => e instanceof XevUsageError && /already active/.test((e as Error).message));
        await t.run(loop);
        assert.equal(calls, 1, 'the completion ran once');
        loop.add(c);
        await t.run(loop);
        assert.equal(calls, 2, 'and can be reused');
      },
    },
    {
      name: 'a completion can be reused for another operation inside its disarming callback',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        const seen: string[] = [];
        timer.run(loop, c, 1, null, (_u, l, comp) => {
          seen.push('timer');
          comp.prep(OpCode.nop).setCallback(() => void seen.push('nop'));
          l.add(comp);
          return CallbackAction.disarm;
        });
        await t.run(loop);
        assert.deepEqual(seen, ['timer', 'nop']);
      },
    },
    {
      name: 'one completion reused 1,000 times in sequence',
      async run(t) {
        const loop = t.loop();
        const c = new Completion();
        let n = 0;
        c.prep(OpCode.nop).setCallback((_u, l, comp) => {
          if (++n < 1000) l.add(comp);
        });
        loop.add(c);
        await t.run(loop);
        assert.equal(n, 1000);
      },
    },
    {
      name: 'the callback receives the userdata, the loop, the completion and the result',
      async run(t) {
        const loop = t.loop();
        const userdata = { tag: 'mine' };
        const c = new Completion(userdata);
        let got: unknown[] = [];
        c.prep(OpCode.nop).setCallback((...args) => void (got = args));
        loop.add(c);
        await t.run(loop);
        assert.equal(got[0], userdata);
        assert.equal(got[1], loop);
        assert.equal(got[2], c);
        assert.equal(got[3], 0);
      },
    },
    {
      name: 'a completion with no callback completes silently',
      async run(t) {
        const loop = t.loop();
        const c = new Completion().prep(OpCode.nop);
        loop.add(c);
        await t.run(loop);
        assert.equal(c.state, 'dead');
        assert.equal(c.result, 0);
      },
    },
    {
      name: 'rule 3: rearm re-issues the identical operation',
      async run(t) {
        const loop = t.loop();
        let n = 0;
        const c = new Completion().prep(OpCode.nop).setCallback(() => (++n < 3 ? CallbackAction.rearm : CallbackAction.disarm));
        loop.add(c);
        await t.run(loop);
        assert.equal(n, 3);
        assert.equal(c.state, 'dead');
      },
    },
    {
      name: 'rule 3: returning nothing disarms',
      async run(t) {
        const loop = t.loop();
        let n = 0;
        loop.add(new Completion().prep(OpCode.nop).setCallback(() => void n++));
        await t.run(loop);
        assert.equal(n, 1);
      },
    },
    {
      name: 'rule 4: a throwing callback disarms, the tick finishes, and run reports the error',
      async run(t) {
        const loop = t.loop();
        const boom = new Error('boom');
        let other = false;
        const c = new Completion().prep(OpCode.nop).setCallback(() => {
          throw boom;
        });
        loop.add(c);
        loop.add(new Completion().prep(OpCode.nop).setCallback(() => void (other = true)));
        await assert.rejects(t.run(loop), (e) => e === boom);
        assert.equal(c.state, 'dead', 'the throwing completion was disarmed');
        assert.ok(other, 'the rest of the tick ran');
        const after = op(loop, OpCode.nop);
        await t.run(loop);
        assert.ok(after.done, 'the loop keeps working');
      },
    },
    {
      name: 'rule 4: a throwing callback that asked for nothing is not rearmed',
      async run(t) {
        const loop = t.loop();
        let n = 0;
        loop.add(
          new Completion().prep(OpCode.nop).setCallback(() => {
            n++;
            throw new Error('once');
          }),
        );
        await assert.rejects(t.run(loop), /once/);
        await t.run(loop);
        assert.equal(n, 1);
      },
    },
    {
      name: 'misuse: an unknown opcode is refused before it reaches the backend',
      async run(t) {
        const loop = t.loop();
        assert.throws(() => loop.add(new Completion().prep(999 as OpCode)), /unknown opcode/);
        assert.equal(loop.activeCount, 0);
        await t.run(loop);
      },
    },
    {
      name: 'misuse: a non-buffer where a buffer belongs is refused',
      async run(t) {
        const loop = t.loop();
        const bad = new Completion().prep(OpCode.recv, 0, 'not a buffer' as never);
        assert.throws(() => loop.add(bad), /must be a Buffer, TypedArray or DataView/);
        assert.equal(bad.state, 'dead');
        const o = op(loop, OpCode.nop);
        await t.run(loop);
        assert.ok(o.done);
      },
    },
    {
      name: 'misuse: a detached buffer is refused',
      async run(t) {
        const loop = t.loop();
        const buffer = new Uint8Array(16);
        structuredClone(buffer.buffer, { transfer: [buffer.buffer] });
        assert.throws(() => loop.add(new Completion().prep(OpCode.read, 0, buffer)), /empty or detached/);
        await t.run(loop);
      },
    },
    {
      name: 'misuse: a negative or fractional handle is refused',
      async run(t) {
        const loop = t.loop();
        assert.throws(() => loop.add(new Completion().prep(OpCode.read, -1, new Uint8Array(4))), /needs a handle/);
        assert.throws(() => loop.add(new Completion().prep(OpCode.read, 1.5, new Uint8Array(4))), /needs a handle/);
        await t.run(loop);
      },
    },
    {
      name: 'misuse: a non-function callback is refused',
      async run(t) {
        const loop = t.loop();
        const c = new Completion().prep(OpCode.nop);
        c.callback = 42 as never;
        assert.throws(() => loop.add(c), /callback must be a function/);
        await t.run(loop);
      },
    },
    {
      name: 'an invalid handle completes with EBADF',
      async run(t) {
        const loop = t.loop();
        const o = op(loop, OpCode.recv, 987_654, new Uint8Array(8));
        await t.run(loop);
        assert.ok(o.result < 0, 'failed');
        assert.equal(o.result, -(await import('node:os')).constants.errno.EBADF);
      },
    },
  ],
};
