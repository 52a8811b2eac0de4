import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

// The harness itself, at a tiny scale: not a measurement (numbers come from `npm run bench`), a check
// that every line has the fields the harness promises and that the self-checks pass.
describe('benchmark harness', () => {
  it('prints million-timers and async1 lines with both sides and a ratio', () => {
    const run = spawnSync(process.execPath, [join(root, 'bench/harness/run.mjs'), '--json', '--filter', 'million-timers,async1', '--backend', 'portable', '--scale', '0.001'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env },
    });
    expect(run.stderr).not.toMatch(/self-check failed/);
    const lines = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    for (const name of ['million-timers', 'million-timers-memory', 'async1']) {
      const line = lines.find((l) => l.name === name);
      expect(line, name).toBeDefined();
      expect(line).toMatchObject({ backend: 'portable', mode: 'attached' });
      expect(typeof line.unit).toBe('string');
      expect(line.xev).toBeGreaterThan(0);
      expect(line.node).toBeGreaterThan(0);
      expect(line.ratio).toBeCloseTo(line.unit.includes('/s') ? line.xev / line.node : line.node / line.xev, 1);
    }
  }, 120_000);
});
