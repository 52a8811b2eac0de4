import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/live/latency-histogram.js';

describe('latency histogram', () => {
  it('every value lands in a slot whose upper edge is within 1/32 above it, and slots are ordered', () => {
    let last = -1;
    for (const v of [0, 1, 31, 32, 33, 63, 64, 100, 1000, 12_345, 999_999, 2 ** 40 + 7]) {
      const i = LatencyHistogram.index(v);
      const up = LatencyHistogram.upper(i);
      expect(up).toBeGreaterThanOrEqual(v);
      expect(up - v).toBeLessThanOrEqual(v / 32);
      expect(i).toBeGreaterThanOrEqual(last);
      last = i;
    }
  });

  it('percentiles of 1…100,000 come out within the resolution of the exact ranks', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 100_000; v++) h.record(v);
    for (const [p, exact] of [[50, 50_000], [99, 99_000], [99.9, 99_900], [100, 100_000]] as const) {
      const got = h.percentile(p);
      expect(got).toBeGreaterThanOrEqual(exact);
      expect(got).toBeLessThanOrEqual(exact * (1 + 1 / 32));
    }
    expect(h.count).toBe(100_000);
    expect(h.min).toBe(1);
    expect(h.max).toBe(100_000);
    expect(h.mean).toBeCloseTo(50_000.5, 6);
  });
});
