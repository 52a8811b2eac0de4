import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Runs `script` as an ES module in a fresh Node, from this package (so @xev/core resolves as a user's would). */
function node(script: string, env: Record<string, string | undefined> = {}): unknown {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, XEV_BACKEND: undefined, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('kqueue and the registry', () => {
  it.runIf(process.platform === 'linux')('is never picked by detection on Linux, and reports itself as the emulation', () => {
    const report = node(`import { report } from '@xev/core'; console.log(JSON.stringify(report()));`) as {
      selected: string;
      candidates: { name: string; status: string; message: string }[];
    };
    expect(report.selected).not.toBe('kqueue');
    const kqueue = report.candidates.find((c) => c.name === 'kqueue');
    expect(kqueue?.status).toBe('usable');
    expect(kqueue?.message).toMatch(/^kqueue emulated on epoll \(tests only\)/);
  });

  it('XEV_BACKEND=kqueue selects it, and a loop runs a nop on it in both modes', () => {
    const script = `
      import { Completion, Loop, OpCode } from '@xev/core';
      const out = {};
      for (const mode of ['attached', 'blocking']) {
        const loop = new Loop({ mode });
        let result = -1;
        loop.add(new Completion(null, (_u, _l, _c, r) => { result = r; }).prep(OpCode.nop));
        if (mode === 'blocking') loop.runBlocking('until_done'); else await loop.run('until_done');
        out[mode] = { backend: loop.backendName, result };
        loop.close();
      }
      console.log(JSON.stringify(out));`;
    expect(node(script, { XEV_BACKEND: 'kqueue' })).toEqual({
      attached: { backend: 'kqueue', result: 0 },
      blocking: { backend: 'kqueue', result: 0 },
    });
  });
});
