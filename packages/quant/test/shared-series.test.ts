import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { OHLCV_FIELDS, OhlcvSeries } from '../src/index.js';
import { randomWalk } from './synthetic.js';

describe('OhlcvSeries shares its columns through one SharedArrayBuffer', () => {
  it('fromBuffer views the same memory (no copy)', () => {
    const s = randomWalk(100, 4);
    const t = OhlcvSeries.fromBuffer(s.buffer, s.length);
    for (const f of OHLCV_FIELDS) expect(t[f]).toEqual(s[f]);
    t.close[5] = 123;
    expect(s.close[5]).toBe(123);
    expect(() => OhlcvSeries.fromBuffer(s.buffer, 101)).toThrow(/cannot hold 101 bars/);
  });

  it('a worker thread reads and writes the same bars without copying', async () => {
    const s = randomWalk(1000, 8);
    const expected = s.close.reduce((a, b) => a + b, 0);
    // The worker rebuilds the close column from the documented layout: column k at k × length × 8.
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { buffer, length } = workerData;
      const close = new Float64Array(buffer, 4 * length * 8, length);
      let sum = 0;
      for (let i = 0; i < length; i++) sum += close[i];
      close[0] = -1;
      parentPort.postMessage(sum);
    `;
    const w = new Worker(code, { eval: true, workerData: { buffer: s.buffer, length: s.length } });
    const sum = await new Promise<number>((res, rej) => {
      w.once('message', res);
      w.once('error', rej);
    });
    await w.terminate();
    expect(sum).toBeCloseTo(expected, 6);
    expect(s.close[0]).toBe(-1);
  });
});
