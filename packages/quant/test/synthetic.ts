import { OhlcvSeries } from '../src/index.js';

/** Mulberry32: tiny seeded PRNG so generated data is identical on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded random-walk OHLCV series of `n` hourly bars starting 2024-01-01 UTC. */
export function randomWalk(n: number, seed = 1, start = 100): OhlcvSeries {
  const r = prng(seed);
  const s = OhlcvSeries.allocate(n);
  let price = start;
  for (let i = 0; i < n; i++) {
    const open = price;
    const close = Math.max(1, open * (1 + (r() - 0.5) * 0.04));
    const high = Math.max(open, close) * (1 + r() * 0.01);
    const low = Math.min(open, close) * (1 - r() * 0.01);
    s.set(i, { time: Date.UTC(2024, 0, 1) + i * 3_600_000, open, high, low, close, volume: 1000 + Math.floor(r() * 9000) });
    price = close;
  }
  return s;
}
