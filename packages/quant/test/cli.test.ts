import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';
import { randomWalk } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'xev-quant-cli-'));
const dataPath = join(dir, 'bars.csv');
{
  const s = randomWalk(1500, 21);
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < s.length; i++) lines.push([s.time[i], s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]].join(','));
  writeFileSync(dataPath, lines.join('\n'));
}

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function config(obj: unknown): string {
  const p = join(dir, `cfg-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, typeof obj === 'string' ? obj : JSON.stringify(obj));
  return p;
}

describe('xev-quant backtest', () => {
  it('prints a metrics table and writes trades and report', async () => {
    const trades = join(dir, 't.csv');
    const report = join(dir, 'r.html');
    const r = await cli('backtest', '--data', dataPath, '--strategy', 'dual-ma-cross', '--param', 'fast=5', '--param', 'slow=20', '--trades', trades, '--report', report);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^dual-ma-cross fast=5 slow=20 kind=sma/);
    expect(r.out).toMatch(/Sharpe\s+-?\d+\.\d\d/);
    expect(r.out).toMatch(/Bars \/ bars per year\s+1500 \/ 8760/);
    const csv = readFileSync(trades, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('side,entryTime,entryPrice,exitTime,exitPrice,qty,grossPnl,fees,netPnl,returnPct,exitReason,bars');
    expect(csv.length).toBeGreaterThan(10);
    expect(readFileSync(report, 'utf8')).toContain('<svg id="equity-chart"');
  });

  it('--json prints one JSON document; config supplies options, flags override', async () => {
    const cfg = config({ strategy: 'macd-cross', params: { fast: 8 }, backtest: { fees: { taker: 0.001 }, slippageBps: 5, fillAt: 'close' } });
    const r = await cli('backtest', '--config', cfg, '--data', dataPath, '--param', 'slow=30', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.strategy).toBe('macd-cross');
    expect(j.params).toEqual({ fast: 8, slow: 30, signal: 9, allowShort: false });
    expect(j.timeframe).toBe('1h');
    expect(j.bars).toBe(1500);
    expect(j.metrics.feesPaid).toBeGreaterThan(0);
    expect(typeof j.metrics.sharpe).toBe('number');
  });

  it('resolves a data path in the config relative to the config file', async () => {
    const p = config({ data: 'bars.csv', strategy: 'triple-ma' });
    const r = await cli('backtest', '--config', p, '--json');
    expect(r.err).toBe('');
    expect(JSON.parse(r.out).data).toBe(dataPath);
  });

  it.each([
    [{ strategy: 'grid', backtest: { feez: {} } }, 'config.backtest.feez: unknown key; expected one of initialCash, fees, slippageBps'],
    [{ strategy: 'grid', colour: 'red' }, 'config.colour: unknown key'],
    [{ strategy: 'grid', backtest: { fees: { taker: 5 } } }, 'config.backtest.fees.taker: expected a number in [0, 0.1], got 5'],
    [{ strategy: 'grid', backtest: { fillAt: 'open' } }, 'config.backtest.fillAt: expected one of next-open, close, got "open"'],
    [{ strategy: 'grid', backtest: { defaultSize: { lots: 1 } } }, 'config.backtest.defaultSize: expected {"qty": n} or {"fraction": f}'],
    [{ strategy: 'grid', csv: { gaps: 'maybe' } }, 'config.csv.gaps: expected one of error, allow'],
    ['{"strategy": ', 'is not valid JSON'],
  ])('rejects a bad config with a clear error (%#)', async (obj, message) => {
    const p = config(obj);
    const r = await cli('backtest', '--config', p, '--data', dataPath);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain(p);
    expect(r.err).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('reports bad parameters, unknown strategies, missing flags and CSV errors', async () => {
    expect((await cli('backtest', '--data', dataPath, '--strategy', 'grid', '--param', 'levels=0')).err)
      .toContain('strategy "grid" parameter "levels": 0 is outside [1, 100]');
    expect((await cli('backtest', '--data', dataPath, '--strategy', 'nope')).err).toContain('unknown strategy "nope"; built-in strategies: dual-ma-cross');
    expect((await cli('backtest', '--data', dataPath)).err).toContain('missing --strategy');
    expect((await cli('backtest', '--data', dataPath, '--strategy', 'grid', '--bogus')).err).toContain('unknown argument "--bogus"');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'timestamp,open,high,low,close,volume\n1704067200000,1,2,0.5,1,1\n1704067200000,1,2,0.5,1,1\n');
    const r = await cli('backtest', '--data', bad, '--strategy', 'grid');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}:3, column timestamp: duplicate timestamp`);
  });

  it('lists strategies with their parameter ranges', async () => {
    const r = await cli('strategies');
    expect(r.code).toBe(0);
    expect(r.out).toContain('dual-ma-cross: Fast/slow moving-average crossover');
    expect(r.out).toContain('  fast: int [2, 200] = 10  fast average period');
  });
});
