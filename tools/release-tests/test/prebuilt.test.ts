import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './pack.js';

const out = mkdtempSync(join(tmpdir(), 'xev-prebuilt-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.runIf(process.platform === 'linux')('per-platform prebuilt packages', () => {
  it('are built with os, cpu and libc fields, and the loader takes them before any local build', () => {
    execFileSync(process.execPath, [join(root, 'scripts/make-prebuilt-packages.mjs'), '--out', out, 'backend-iouring'], { stdio: 'pipe' });
    expect(existsSync(join(root, 'packages/backend-iouring/prebuilds')), 'the checkout is left alone').toBe(false);
    const name = `@xev/backend-iouring-linux-${process.arch}-gnu`;
    const manifest = JSON.parse(readFileSync(join(out, name, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name, os: ['linux'], cpu: [process.arch], libc: ['glibc'], files: ['xev_iouring.node'] });

    // A consumer project: the backend package without any build of its own, and the prebuilt package.
    const project = join(out, 'project');
    const backendRoot = join(project, 'node_modules/@xev/backend-iouring');
    mkdirSync(backendRoot, { recursive: true });
    writeFileSync(join(backendRoot, 'package.json'), JSON.stringify({ name: '@xev/backend-iouring', version: '0.0.0' }));
    cpSync(join(out, name), join(project, 'node_modules', name), { recursive: true });
    const program = `
      const { loadNativeAddon } = require(${JSON.stringify(join(root, 'packages/core/dist/index.cjs'))});
      const addon = loadNativeAddon({ backend: 'io_uring', packageRoot: ${JSON.stringify(backendRoot)}, addonName: 'xev_iouring', envVar: 'XEV_NO_OVERRIDE', prebuiltPackage: '@xev/backend-iouring' });
      console.log(JSON.stringify(addon.probe()));
    `;
    const probe = JSON.parse(execFileSync(process.execPath, ['-e', program], { encoding: 'utf8' }));
    expect(probe.ok).toBe(true);
  });
});
