import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The kqueue emulation's own checks (test/emul/emul-check.cc): one per flag and filter the backend relies
 * on. On Linux the program is compiled against emul/ (kqueue on epoll); on macOS and FreeBSD the same
 * program runs against the real kqueue, which keeps the emulation honest wherever both can be compared.
 */
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'xev-kqueue-emul-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const expected = [
  'EVFILT_READ level-triggered',
  'EV_CLEAR',
  'EVFILT_WRITE beside EVFILT_READ',
  'EV_DISABLE and EV_ENABLE',
  'EV_DELETE',
  'EV_ONESHOT',
  'EV_DISPATCH',
  'an event list with room for one',
  'EV_ERROR: EBADF for a bad descriptor',
  'EV_RECEIPT',
  "EV_EOF on a socket's peer shutdown",
  'EVFILT_USER',
  'EVFILT_TIMER',
  'EVFILT_PROC NOTE_EXIT',
  'the kqueue descriptor is pollable',
  'a regular file is always readable',
];

function build(extra: string[]): string {
  const out = join(dir, `emul-check-${extra.length}`);
  const emulated = process.platform === 'linux' ? ['-DXEV_KQUEUE_EMULATED', '-Iemul', 'emul/kqueue.cc', 'emul/knotes.cc'] : [];
  const cxx = process.env.CXX ?? (process.platform === 'linux' ? 'g++' : 'c++');
  execFileSync(cxx, ['-std=gnu++17', '-Wall', '-Wextra', '-O1', '-g', ...extra, ...emulated, 'test/emul/emul-check.cc', '-o', out, '-pthread'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return out;
}

function run(binary: string): string[] {
  let output: string;
  try {
    output = execFileSync(binary, { encoding: 'utf8', timeout: 60_000 });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? '');
    throw new Error(`emul-check failed:\n${output}`);
  }
  return output.trim().split('\n');
}

describe(`the kqueue emulation (${process.platform === 'linux' ? 'emulated on epoll' : 'the real kqueue'})`, () => {
  it('passes every check of each flag and filter', () => {
    const lines = run(build([]));
    expect(lines.filter((l) => !l.startsWith('ok '))).toEqual([]);
    for (const name of expected) expect(lines.some((l) => l.startsWith(`ok ${name}`)), name).toBe(true);
  }, 120_000);

  it.runIf(process.platform === 'linux')('passes them under AddressSanitizer and UBSan too', () => {
    const lines = run(build(['-fsanitize=address,undefined', '-fno-sanitize-recover=undefined']));
    expect(lines.filter((l) => !l.startsWith('ok '))).toEqual([]);
  }, 120_000);
});
