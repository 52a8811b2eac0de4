import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack, projectWith, runIn } from './pack.js';

// Pick and choose: users install only what they need, and the loop finds what is there.
const work = mkdtempSync(join(tmpdir(), 'xev-release-'));
const tarballs: Record<string, string> = {};
const projects: string[] = [];

beforeAll(() => {
  for (const name of ['@xev/core', '@xev/net', '@xev/fs', '@xev/quant', '@xev/backend-iouring']) tarballs[name] = pack(name, work);
});
afterAll(() => {
  for (const dir of [work, ...projects]) rmSync(dir, { recursive: true, force: true });
});

const program = `
import { Loop } from '@xev/core';
import { connect, listen } from '@xev/net';
const loop = new Loop();
const listener = await listen(loop, { host: '127.0.0.1', port: 0 });
const accepted = (async () => { for await (const conn of listener) return conn; })();
const client = await connect(loop, { host: '127.0.0.1', port: listener.address.port });
const server = await accepted;
await client.write(new TextEncoder().encode('ping'));
const buf = new Uint8Array(4);
const n = await server.read(buf);
console.log(loop.backendName, new TextDecoder().decode(buf.subarray(0, n)));
await client.close(); await server.close(); await listener.close();
loop.close();
`;

describe('pick-and-choose installs', () => {
  it('@xev/core + @xev/net alone run on the portable backend', () => {
    const dir = projectWith([tarballs['@xev/core'], tarballs['@xev/net']]);
    projects.push(dir);
    expect(runIn(dir, program).trim()).toBe('portable ping');
  });

  it.runIf(process.platform === 'linux')('adding @xev/backend-iouring makes the same program run on io_uring', () => {
    const dir = projectWith([tarballs['@xev/core'], tarballs['@xev/net'], tarballs['@xev/backend-iouring']]);
    projects.push(dir);
    expect(runIn(dir, program).trim()).toBe('io_uring ping');
  });

  it('@xev/quant runs a backtest', () => {
    const dir = projectWith([tarballs['@xev/core'], tarballs['@xev/net'], tarballs['@xev/fs'], tarballs['@xev/quant']]);
    projects.push(dir);
    const out = runIn(
      dir,
      `
import { OhlcvSeries, computeMetrics, dualMaCross, runBacktest } from '@xev/quant';
const n = 2000;
const s = OhlcvSeries.allocate(n);
let p = 100;
for (let i = 0; i < n; i++) {
  const c = p * (1 + Math.sin(i / 40) * 0.01);
  s.time[i] = Date.UTC(2020, 0, 1) + i * 86_400_000;
  s.open[i] = p; s.close[i] = c; s.high[i] = Math.max(p, c) * 1.001; s.low[i] = Math.min(p, c) * 0.999; s.volume[i] = 1;
  p = c;
}
const result = runBacktest(s, dualMaCross, { fast: 10, slow: 30 });
const m = computeMetrics(result);
console.log(JSON.stringify({ trades: m.tradeCount, finite: Number.isFinite(m.totalReturn) }));
`,
    );
    const summary = JSON.parse(out.trim().split('\n').pop()!);
    expect(summary.trades).toBeGreaterThan(0);
    expect(summary.finite).toBe(true);
  });
});
