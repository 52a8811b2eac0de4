import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack, packages, packedFiles, root } from './pack.js';

const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const native = new Set(['@xev/backend-iouring', '@xev/backend-epoll', '@xev/backend-kqueue']);

describe.each(Object.keys(packages))('%s as published', (name) => {
  it('packs only what it needs', () => {
    const files = packedFiles(name);
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    expect(files.some((f) => f.startsWith('dist/'))).toBe(true);
    for (const f of files) {
      expect(f, `${name} publishes ${f}`).toMatch(native.has(name) ? /^(package\.json|README\.md|LICENSE|dist\/|src\/[\w-]+\.(cc|h)$|binding\.gyp$|scripts\/|prebuilds\/|emul\/)/ : /^(package\.json|README\.md|LICENSE|dist\/|native\/|fuzz\/|docs\/)/);
      expect(f).not.toMatch(/(^|\/)(test|\.turbo|node_modules|build)\//);
    }
  });

  it('passes publint', () => {
    const run = spawnSync(bin('publint'), ['run', join(root, packages[name]), '--strict'], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).not.toMatch(/Errors:|Warnings:/);
    expect(run.status).toBe(0);
  });

  it('passes are-the-types-wrong (ESM and CJS entries typed correctly)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xev-attw-'));
    try {
      const tarball = pack(name, dir);
      // node16 profile: Node's CJS and ESM resolution and bundlers (node10's lack of `exports` is moot on Node 20).
      const run = spawnSync(bin('attw'), [tarball, '--format', 'ascii', '--profile', 'node16'], { encoding: 'utf8' });
      expect(run.status, run.stdout + run.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the repository', () => {
  it('lists every publishable package in the release tests', () => {
    const found = execFileSync('npm', ['query', '.workspace'], { cwd: root, encoding: 'utf8' });
    const names = (JSON.parse(found) as { name: string; private?: boolean }[]).filter((p) => !p.private).map((p) => p.name).sort();
    expect(names).toEqual(Object.keys(packages).sort());
  });
});
