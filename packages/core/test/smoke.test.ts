import { describe, expect, it } from 'vitest';
import { CallbackAction, Completion, Loop, Timer, sleep } from '../src/index.js';

describe('smoke', () => {
  it('runs timers in order on portable', async () => {
    const loop = new Loop({ backend: 'portable' });
    const order: number[] = [];
    const timer = new Timer();
    for (const ms of [30, 10, 20]) timer.run(loop, new Completion(), ms, ms, (ud) => void order.push(ud as number));
    await loop.run('until_done');
    expect(order).toEqual([10, 20, 30]);
    let n = 0;
    timer.run(loop, new Completion(), 5, null, () => (++n < 3 ? CallbackAction.rearm : CallbackAction.disarm));
    await loop.run();
    expect(n).toBe(3);
    await sleep(loop, 5);
    loop.close();
  });
});
