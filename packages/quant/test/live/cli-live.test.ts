import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/command.js';
import { randomWalk } from '../synthetic.js';
import { journalEntries, tempDir } from './helpers.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe('xev-quant paper and live', () => {
  it('paper --sim replays a CSV through the simulator on loopback and paper-trades a built-in strategy', async () => {
    const dir = tempDir();
    const s = randomWalk(300, 3);
    const rows = ['time,open,high,low,close,volume'];
    for (let i = 0; i < s.length; i++) rows.push([s.time[i], s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]].join(','));
    writeFileSync(join(dir, 'bars.csv'), `${rows.join('\n')}\n`);
    const journal = join(dir, 'j.jsonl');
    const c = io();
    const code = await runCli(['paper', '--sim', join(dir, 'bars.csv'), '--strategy', 'dual-ma-cross', '--param', 'fast=5', '--param', 'slow=20', '--journal', journal, '--json'], c.io);
    expect(c.err).toEqual([]);
    expect(code).toBe(0);
    const summary = JSON.parse(c.out.at(-1)!);
    expect(summary).toMatchObject({ venue: 'paper', strategy: 'dual-ma-cross', bars: 300, problems: 0, state: 'ACTIVE' });
    expect(summary.orders).toBeGreaterThan(2);
    expect(summary.filled).toBe(summary.orders);
    expect(journalEntries(journal).filter((e) => e.t === 'order')).toHaveLength(summary.orders);
  });

  it('live refuses clearly without credentials, refuses credentials on the command line without echoing them, and refuses Hyperliquid orders', async () => {
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) if (k.startsWith('XEV_BINANCE_') || k.startsWith('XEV_HYPERLIQUID_')) delete process.env[k];
    try {
      let c = io();
      expect(await runCli(['live', '--venue', 'binance', '--strategy', 'dual-ma-cross'], c.io)).toBe(2);
      expect(c.err.join('\n')).toMatch(/live trading on binance needs credentials: set XEV_BINANCE_API_KEY.*refusing to start/s);
      c = io();
      expect(await runCli(['live', '--venue', 'binance', '--api-secret', 'hunter2-secret', '--strategy', 'x'], c.io)).toBe(2);
      expect(c.err.join('\n')).toMatch(/--api-secret is not accepted/);
      expect(c.err.join('\n')).not.toContain('hunter2-secret');
      process.env.XEV_HYPERLIQUID_API_KEY = 'k';
      process.env.XEV_HYPERLIQUID_API_SECRET = 's';
      c = io();
      expect(await runCli(['live', '--venue', 'hyperliquid', '--strategy', 'dual-ma-cross'], c.io)).toBe(2);
      expect(c.err.join('\n')).toMatch(/not available yet: .*EIP-712/);
      c = io();
      expect(await runCli(['live', '--venue', 'kraken', '--strategy', 'dual-ma-cross'], c.io)).toBe(2);
      expect(c.err.join('\n')).toMatch(/--venue must be binance or hyperliquid/);
    } finally {
      process.env = saved;
    }
  });
});
