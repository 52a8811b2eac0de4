import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the published package', () => {
  it('packs, installs into a project outside the repository, and loads with require and import', () => {
    const work = mkdtempSync(join(tmpdir(), 'xev-pack-'));
    try {
      execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: packageDir, stdio: 'pipe' });
      const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
      const project = join(work, 'project');
      execFileSync('mkdir', ['-p', project]);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'commonjs' }));
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', join(work, tarball)], { cwd: project, stdio: 'pipe' });
      const cjs = execFileSync(
        process.execPath,
        ['-e', "const x = require('@xev/core'); const l = new x.Loop(); console.log(l.backendName, typeof x.Timer, typeof require('@xev/core/conformance').runConformance); l.close()"],
        { cwd: project, encoding: 'utf8' },
      );
      expect(cjs.trim()).toBe('portable function function');
      const esm = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "import { Loop, sleep } from '@xev/core'; import * as c from '@xev/core/conformance'; const l = new Loop(); await sleep(l, 1); console.log(l.backendName, c.caseCount > 80); l.close();",
        ],
        { cwd: project, encoding: 'utf8' },
      );
      expect(esm.trim()).toBe('portable true');
      const doctor = execFileSync(join(project, 'node_modules/.bin/xev'), ['doctor', '--json'], { cwd: project, encoding: 'utf8' });
      expect(JSON.parse(doctor).selected).toBe('portable');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);

  it('ESM and CJS entries export the same names', async () => {
    for (const entry of ['index', 'conformance']) {
      const esm = Object.keys(await import(join(packageDir, `dist/${entry}.js`))).sort();
      const cjsNames = JSON.parse(execFileSync(process.execPath, ['-p', `JSON.stringify(Object.keys(require(${JSON.stringify(join(packageDir, `dist/${entry}.cjs`))})).sort())`], { encoding: 'utf8' }));
      expect(cjsNames).toEqual(esm.filter((n) => n !== 'default'));
    }
  });
});
