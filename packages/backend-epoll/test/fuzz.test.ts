import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBackendFuzz } from '@xev/core/conformance';

/**
 * Random submission entries with random objects (wrong types, detached buffers, bad handles, reused slots,
 * cancels of anything) must never crash the process, and every staged slot must complete exactly as often
 * as it was staged. Each run is a child process (@xev/core's fuzz/backend-fuzz.mjs), so that nothing it
 * does can touch the test runner; under `npm run test:asan` the children inherit the sanitizers.
 */
describe('epoll garbage in, no crash out', () => {
  const backendModule = join(import.meta.dirname, '..', 'dist', 'index.js');
  for (const mode of ['blocking', 'attached'] as const) {
    for (const seed of [1, 2, 3, 4]) {
      it(`seed ${seed} (${mode})`, () => {
        const summary = runBackendFuzz(backendModule, seed, mode);
        expect(summary.mode).toBe(mode);
        expect(summary.completions).toBeGreaterThan(1000);
      });
    }
  }
});
