import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('the install hook exits 0 and explains itself when the addon cannot be built', () => {
  // A copy of the package outside the workspace: node-gyp and node-gyp-build do not resolve from there, so
  // the hook finds no binary and its build fails, as on a machine without a compiler.
  const root = join(import.meta.dirname, '..');
  const copy = mkdtempSync(join(tmpdir(), 'xev-kqueue-install-'));
  try {
    for (const entry of ['scripts', 'src', 'emul', 'binding.gyp', 'package.json']) cpSync(join(root, entry), join(copy, entry), { recursive: true });
    const r = spawnSync(process.execPath, [join(copy, 'scripts', 'install.cjs')], { cwd: copy, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/@xev\/backend-kqueue: WARNING: the native addon failed to build/);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
