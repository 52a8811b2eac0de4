import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNativeAddon, nativeTarget, NativeLoadError } from '../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  delete process.env.XEV_TEST_ADDON;
});

/** A fake backend package whose local build is a deliberately broken binary. */
function brokenPackage(): string {
  const root = mkdtempSync(join(tmpdir(), 'xev-load-'));
  dirs.push(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fake-backend' }));
  mkdirSync(join(root, 'build', 'Release'), { recursive: true });
  writeFileSync(join(root, 'build', 'Release', 'xev_fake.node'), 'this is not an ELF file');
  return root;
}

const source = (packageRoot: string) => ({
  backend: 'fake',
  packageRoot,
  addonName: 'xev_fake',
  envVar: 'XEV_TEST_ADDON',
  prebuiltPackage: '@xev/backend-fake',
});

describe('loadNativeAddon', () => {
  it('names the target, every attempt with its cause, and the fixes when nothing loads', () => {
    const root = brokenPackage();
    let error: unknown;
    try {
      loadNativeAddon(source(root));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NativeLoadError);
    const e = error as NativeLoadError;
    expect(e.target).toBe(nativeTarget());
    expect(e.attempts.map((a) => a.source)).toEqual(['prebuilt-package', 'local-build', 'prebuilds']);
    expect(e.attempts[0].error).toBe('not installed');
    expect(e.attempts[1].error).toMatch(/invalid ELF header|not a valid|file too short/i);
    expect(e.message).toContain(`@xev/backend-fake-${nativeTarget()}`);
    expect(e.message).toMatch(/npm rebuild/);
    expect(e.message).toMatch(/XEV_BACKEND=portable/);
  });

  it('an environment override is tried alone, and its failure is reported', () => {
    const root = brokenPackage();
    process.env.XEV_TEST_ADDON = join(root, 'missing.node');
    expect(() => loadNativeAddon(source(root))).toThrow(/env: .*missing\.node/);
  });

  it('loads a working addon from the override', () => {
    const root = brokenPackage();
    // Any loadable module stands in for an addon: the loader only resolves and requires.
    const fake = join(root, 'ok.cjs');
    writeFileSync(fake, 'module.exports = { probe: () => ({ ok: true }) };');
    process.env.XEV_TEST_ADDON = fake;
    expect(loadNativeAddon<{ probe(): { ok: boolean } }>(source(root)).probe()).toEqual({ ok: true });
  });
});
