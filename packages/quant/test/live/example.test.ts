import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../../../examples/quant-live/paper-on-simulator.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/live.js', import.meta.url)));

describe.skipIf(!built)('examples/quant-live', () => {
  it('paper-on-simulator.mjs runs to completion and trades', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--bars', '400'], { timeout: 60_000 });
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(summary.bars).toBe(400);
    expect(summary.orders).toBeGreaterThan(0);
    expect(summary.fees).toBeGreaterThan(0);
  });
});
