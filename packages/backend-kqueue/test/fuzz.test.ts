import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Random submission entries with random objects (wrong types, detached buffers, bad handles, reused slots,
 * cancels of anything) must never crash the process, and every staged slot must complete exactly as often
 * as it was staged. Each run is a child process (test/fuzz-child.mjs), so that nothing it does can touch the
 * test runner; under `npm run test:asan` the children inherit the sanitizers.
 */
describe('kqueue garbage in, no crash out', () => {
  for (const mode of ['blocking', 'attached'] as const) {
    for (const seed of [1, 2, 3, 4]) {
      it(`seed ${seed} (${mode})`, () => {
        const child = join(import.meta.dirname, 'fuzz-child.mjs');
        let out: string;
        try {
          out = execFileSync(process.execPath, [child, String(seed), mode], { encoding: 'utf8', timeout: 60_000, stdio: 'pipe' });
        } catch (error) {
          const e = error as { status?: number; signal?: string; stdout?: string; stderr?: string };
          // Say what the child said (a sanitizer report, a stuck slot), not only that it failed.
          throw new Error(`fuzz child (seed ${seed}, ${mode}) exited with ${e.status ?? e.signal}:\n${e.stdout ?? ''}\n${String(e.stderr ?? '').slice(-4000)}`);
        }
        const summary = JSON.parse(out.trim().split('\n').pop()!);
        expect(summary.mode).toBe(mode);
        expect(summary.completions).toBeGreaterThan(1000);
      });
    }
  }
});
