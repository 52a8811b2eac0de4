import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONTRACT_VERSION,
  Loop,
  XevUsageError,
  detect,
  portableBackend,
  prefer,
  register,
  report,
  select,
  type BackendFactory,
} from '../src/index.js';
import { resetRegistry } from '../src/backend/registry.js';

const here = dirname(fileURLToPath(import.meta.url));

function fakeBackend(name: string, probe: BackendFactory['probe']): BackendFactory {
  return { ...portableBackend, name, probe, contractVersion: CONTRACT_VERSION };
}

afterEach(() => {
  resetRegistry();
  delete process.env.XEV_BACKEND;
});

describe('registry', () => {
  it('detect() never returns an unusable backend and always has portable to fall back on', () => {
    const chosen = detect();
    const entry = report().candidates.find((c) => c.name === chosen.name);
    expect(entry?.status).toBe('usable');
    expect(report().candidates.some((c) => c.name === 'portable' && c.status === 'usable')).toBe(true);
  });

  it('XEV_BACKEND picks the backend, and an unknown name is a clear error naming the known ones', () => {
    process.env.XEV_BACKEND = 'portable';
    expect(new Loop().backendName).toBe('portable');
    process.env.XEV_BACKEND = 'nonesuch';
    expect(() => new Loop()).toThrow(XevUsageError);
    expect(() => new Loop()).toThrow(/XEV_BACKEND names the backend 'nonesuch', which is unknown\. Known backends: io_uring, epoll, kqueue, portable/);
  });

  it('prefer() overrides detection, XEV_BACKEND overrides prefer()', () => {
    prefer('portable');
    expect(detect().name).toBe('portable');
    expect(report().reason).toBe("prefer('portable')");
    process.env.XEV_BACKEND = 'portable';
    expect(report().reason).toBe('XEV_BACKEND=portable');
    expect(() => prefer('nonesuch')).toThrow(/unknown/);
  });

  it('a backend refused by the kernel is reported with its errno and skipped by detect()', () => {
    register(fakeBackend('refusing', () => ({ usable: false, reason: 'refused', errno: 1, code: 'EPERM', message: 'io_uring_setup: Operation not permitted', fix: 'sysctl kernel.io_uring_disabled=0' })));
    const entry = report().candidates.find((c) => c.name === 'refusing')!;
    expect(entry).toMatchObject({ status: 'refused', errno: 1, code: 'EPERM', fix: 'sysctl kernel.io_uring_disabled=0' });
    expect(detect().name).not.toBe('refusing');
    expect(() => select('refusing')).toThrow(/'refusing' backend, which is refused: io_uring_setup: Operation not permitted\. Fix: sysctl/);
  });

  it('a probe that throws is reported, never propagated', () => {
    register(fakeBackend('throwing', () => {
      throw new Error('kaboom');
    }));
    expect(report().candidates.find((c) => c.name === 'throwing')).toMatchObject({ status: 'unsupported', message: 'probe threw: kaboom' });
  });

  it('a backend speaking another contract version is refused', () => {
    register({ ...fakeBackend('future', () => ({ usable: true })), contractVersion: CONTRACT_VERSION + 1 });
    expect(report().candidates.find((c) => c.name === 'future')?.status).toBe('unsupported');
  });

  it('a backend module given by path is loaded and registered on first use, from the API and the CLI', () => {
    const path = join(here, '../../../docs/examples/minimal-backend.mjs');
    expect(select(path).name).toBe('minimal');
    expect(report().candidates.find((c) => c.name === 'minimal')?.status).toBe('usable');
    const cli = join(here, '../dist/cli.js');
    const run = spawnSync(process.execPath, [cli, 'conformance', '--backend', path, '--filter', '^rule 1: loop', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toMatchObject({ backend: 'minimal', mode: 'attached', failed: 0 });
    expect(run.status).toBe(0);
  });

  it('asking for blocking mode on a backend without it is a clear error', () => {
    expect(() => new Loop({ backend: 'portable', mode: 'blocking' })).toThrow(/cannot run in blocking mode/);
  });

  it('importing @xev/core never probes or throws, even with a bad XEV_BACKEND', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', "import('@xev/core').then(() => console.log('imported'))"], {
      env: { ...process.env, XEV_BACKEND: 'nonesuch' },
      cwd: here,
    });
    expect(String(out).trim()).toBe('imported');
  });

  it('xev doctor --json prints the report, and names the selected backend', () => {
    const cli = join(here, '../dist/cli.js');
    const result = spawnSync(process.execPath, [cli, 'doctor', '--json'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.selected).toBe(detect().name);
    expect(parsed.candidates.map((c: { name: string }) => c.name)).toContain('portable');
  });
});
