import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

// Not a measurement: each of the net and fs benchmarks at a tiny scale on the portable backend, to prove
// it runs, passes its own self-checks and prints lines with both sides and a ratio.
it('the net and fs benchmarks run, check themselves and print their lines', () => {
  const run = spawnSync(
    process.execPath,
    [join(root, 'bench/harness/run.mjs'), '--json', '--filter', 'ping-pongs,ping-udp1,udp-pummel,file-pread,idle-connections', '--backend', 'portable', '--scale', '0.002'],
    { cwd: root, encoding: 'utf8', timeout: 150_000 },
  );
  expect(run.stderr).not.toMatch(/self-check failed|failed:/);
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const name of ['ping-pongs', 'ping-pongs-100', 'ping-udp1', 'udp_pummel_1v1', 'file-pread-4k', 'file-read-1m-seq', 'idle-connections']) {
    const line = lines.find((l) => l.name === name);
    expect(line, name).toMatchObject({ backend: 'portable', mode: 'attached' });
    expect(line!.xev as number, name).toBeGreaterThan(0);
    expect(line!.node as number, name).toBeGreaterThan(0);
    expect(typeof line!.ratio, name).toBe('number');
  }
}, 160_000);
