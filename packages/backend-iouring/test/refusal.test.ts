import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const addonPath = join(root, 'build', process.env.XEV_IOURING_DEBUG === '1' ? 'Debug' : 'Release', 'xev_iouring.node');
const dir = mkdtempSync(join(tmpdir(), 'xev-seccomp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Compiles the seccomp helper; null if this machine has no C compiler, or if the sandbox we run in does
 * not let a process install a seccomp filter of its own (then there is nothing to test here).
 */
function helper(): string | null {
  const out = join(dir, 'deny-io-uring');
  try {
    execFileSync('cc', ['-O1', '-o', out, join(__dirname, 'fixtures', 'deny-io-uring.c')], { stdio: 'pipe' });
  } catch {
    return null;
  }
  return spawnSync(out, ['true'], { stdio: 'ignore' }).status === 0 ? out : null;
}

describe('probe under a seccomp policy that refuses io_uring', () => {
  const deny = helper();

  it.skipIf(deny === null)('the addon reports EPERM with its errno, a message naming seccomp, and a fix', () => {
    const script = `console.log(JSON.stringify(require(${JSON.stringify(addonPath)}).probe()))`;
    const r = spawnSync(deny!, [process.execPath, '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    const probe = JSON.parse(r.stdout);
    expect(probe.ok).toBe(false);
    expect(probe.errno).toBe(1);
    expect(probe.message).toMatch(/io_uring_setup failed: Operation not permitted \(errno 1\)/);
    expect(probe.message).toMatch(/seccomp/);
    expect(probe.fix).toMatch(/epoll/);
  });

  it.skipIf(deny === null || !existsSync(join(root, 'dist', 'index.cjs')))(
    'the backend factory reports it as refused, and creating an instance throws instead of crashing',
    () => {
      const script = `
        const { backend } = require(${JSON.stringify(join(root, 'dist', 'index.cjs'))});
        const probe = backend.probe();
        let created = 'no error';
        try { backend.create({ entries: 8, mode: 'attached' }); } catch (e) { created = e.message + ' ' + e.errno; }
        console.log(JSON.stringify({ probe, created }));`;
      const r = spawnSync(deny!, [process.execPath, '-e', script], { encoding: 'utf8', timeout: 20_000 });
      const { probe, created } = JSON.parse(r.stdout);
      expect(probe).toMatchObject({ usable: false, reason: 'refused', errno: 1 });
      expect(created).toBe('io_uring_setup failed: Operation not permitted -1');
    },
  );
});
