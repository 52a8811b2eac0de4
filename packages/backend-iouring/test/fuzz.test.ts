import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const addonPath = join(__dirname, '..', 'build', process.env.XEV_IOURING_DEBUG === '1' ? 'Debug' : 'Release', 'xev_iouring.node');

describe('fuzz: garbage in ring entries and control calls', () => {
  for (const [mode, flags] of [['attached', 0], ['blocking', 2]] as const) {
    it(`${mode}: never crashes, and every accepted operation completes exactly once`, () => {
      for (const seed of [1, 2, 3]) {
        const dir = mkdtempSync(join(tmpdir(), 'xev-fuzz-'));
        try {
          // In a child process, so that a crash is a failed assertion here, not a dead test runner.
          const r = spawnSync(process.execPath, [join(__dirname, 'fixtures', 'fuzz-child.cjs'), addonPath, String(flags), '300', String(seed), dir], {
            encoding: 'utf8',
            timeout: 60_000,
          });
          expect(r.stderr, `seed ${seed}`).toBe('');
          expect(r.status, `seed ${seed} exited with ${r.status} (${r.signal ?? 'no signal'})`).toBe(0);
          const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
          expect(summary.leftover, `seed ${seed}: operations that never completed`).toBe(0);
          expect(summary.completed).toBe(summary.submitted);
          expect(summary.submitted).toBeGreaterThan(1000);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    });
  }
});
