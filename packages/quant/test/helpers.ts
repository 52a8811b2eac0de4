import { expect } from 'vitest';

/**
 * Checks that the last `expected.length` values of `actual` match a right-aligned reference printed to
 * `decimals` places (tolerance: half a unit in the last place, plus float slack), and that exactly
 * `warmup` leading values are NaN.
 */
export function expectAligned(actual: ArrayLike<number>, expected: readonly number[], decimals: number, warmup?: number): void {
  const off = actual.length - expected.length;
  expect(off).toBeGreaterThanOrEqual(0);
  const tol = 0.5 * 10 ** -decimals + 1e-9;
  for (let j = 0; j < expected.length; j++) {
    const got = actual[off + j];
    if (Math.abs(got - expected[j]) > tol) {
      throw new Error(`index ${off + j}: got ${got}, expected ${expected[j]} ± ${tol}`);
    }
  }
  if (warmup !== undefined) {
    for (let i = 0; i < actual.length; i++) {
      if (Number.isNaN(actual[i]) !== i < warmup) throw new Error(`index ${i}: NaN=${Number.isNaN(actual[i])}, warm-up is ${warmup}`);
    }
  }
}
