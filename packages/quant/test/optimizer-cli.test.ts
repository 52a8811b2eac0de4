import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOptimizeArgs, parseRange } from '../src/cli/optimize-args.js';
import { progressLine, ProgressBar } from '../src/cli/progress.js';
import { sp500DataPath } from '../src/index.js';
import { CLI, spawnCli } from './cli-process.js';

const sp500 = ['--data', sp500DataPath(), '--gaps', 'allow', '--calendar', 'equities'];
const tmp = () => mkdtempSync(join(tmpdir(), 'xev-quant-opt-'));

describe('optimizer CLI arguments', () => {
  it('parses ranges, lists, constraints, search and run options', () => {
    expect(parseRange('fast=5:50:5')).toEqual(['fast', { min: 5, max: 50, step: 5 }]);
    expect(parseRange('kind=sma,ema')).toEqual(['kind', ['sma', 'ema']]);
    expect(parseRange('allowShort=true,false')).toEqual(['allowShort', [true, false]]);
    const a = parseOptimizeArgs(['--range', 'fast=2:20', '--constraint', 'fast < slow', '--search', 'random', '--samples', '50', '--seed', '9', '--objective', '-maxDrawdown', '--workers=2', '--json']);
    expect(a).toMatchObject({ ranges: { fast: { min: 2, max: 20 } }, constraints: ['fast < slow'], search: 'random', samples: 50, seed: 9, objective: '-maxDrawdown', workers: 2, json: true });
    expect(() => parseOptimizeArgs(['--samples', '0'])).toThrow(/integer ≥ 1/);
    expect(() => parseOptimizeArgs(['--bogus'])).toThrow(/unknown argument/);
    expect(() => parseRange('fast=1:x')).toThrow(/min:max/);
  });

  it('progress: a bar with percentage, counts, rate and ETA; redrawn in place on a terminal, silent when off', () => {
    expect(progressLine(250, 1000, 2000, 1.5)).toBe('[######------------------]  25.0 %  250/1000  2.0 s  ETA 6.0 s  125/s  best 1.5000');
    const written: string[] = [];
    const bar = new ProgressBar({ write: (t) => written.push(t), mode: 'bar' }, 0);
    bar.update(1, 2, 10, NaN);
    bar.update(2, 2, 20, 1);
    bar.end();
    expect(written[0].startsWith('\r[')).toBe(true);
    expect(written[2]).toBe('\n');
    const quiet: string[] = [];
    const off = new ProgressBar({ write: (t) => quiet.push(t), mode: 'off' });
    off.update(1, 1, 1, 1);
    off.end();
    expect(quiet).toEqual([]);
  });
});

describe('xev-quant optimize / walkforward (child processes)', () => {
  it('optimize --json writes the top-N and an HTML report with the objective heatmap; no progress on a pipe by default', async () => {
    const report = join(tmp(), 'opt.html');
    // fast 5…40 × slow 20…200 is 8 × 10 = 80 points, of which 6 have fast ≥ slow.
    const c = spawnCli(['optimize', ...sp500, '--strategy', 'dual-ma-cross', '--range', 'fast=5:40:5', '--range', 'slow=20:200:20', '--param', 'kind=sma',
      '--param', 'fraction=1', '--param', 'allowShort=false', '--constraint', 'fast < slow', '--top', '3', '--workers', '2', '--json', '--report', report]);
    expect(await c.exited).toBe(0);
    expect(c.stderr()).toBe('');
    const out = JSON.parse(c.stdout());
    expect(out).toMatchObject({ command: 'optimize', strategy: 'dual-ma-cross', candidates: 74, evaluated: 74, aborted: false, workers: 2, mode: 'threads' });
    expect(out.top).toHaveLength(3);
    expect(out.top[0].score).toBeGreaterThanOrEqual(out.top[1].score);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('id="objective-heatmap"');
    expect(html).toContain('id="top"');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  // util-linux `script` runs the CLI on a real pseudo-terminal, the only way to see what a user sees.
  it.skipIf(!existsSync('/usr/bin/script'))('on a terminal, progress is a bar redrawn in place with an ETA', () => {
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    const cmd = [process.execPath, CLI, 'optimize', ...sp500, '--strategy', 'dual-ma-cross', '--range', 'fast=5:40:5', '--range', 'slow=20:200:20',
      '--constraint', 'fast < slow', '--param', 'kind=sma', '--param', 'fraction=1', '--param', 'allowShort=false', '--workers', '2', '--top', '2'].map(quote).join(' ');
    const tty = execFileSync('/usr/bin/script', ['-qfec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    const redraws = tty.match(/\r\[[#-]{24}\] +[\d.]+ % +\d+\/74 .* ETA [\d.]+ s .*\x1b\[K/g) ?? [];
    expect(redraws.length).toBeGreaterThanOrEqual(1);
    expect(tty).toMatch(/100\.0 % +74\/74/);
    expect(tty).toContain('dual-ma-cross · 74/74 candidates');
  });

  it('Ctrl-C (a real SIGINT) stops cleanly and prints the best result so far', async () => {
    // A sweep far too long to finish: 5 000 event-driven runs.
    const c = spawnCli(['optimize', ...sp500, '--strategy', 'dual-ma-cross', '--search', 'random', '--samples', '5000', '--seed', '3', '--engine', 'event',
      '--constraint', 'fast < slow', '--workers', '2', '--batch', '8', '--json', '--progress', 'always']);
    await c.waitFor(/^progress .* [1-9]\d*\/5000 /);
    c.child.kill('SIGINT');
    expect(await c.exited).toBe(130);
    expect(c.stderr()).toMatch(/interrupted after \d+ of 5000 candidates; best so far: fast=\d+ slow=\d+/);
    const out = JSON.parse(c.stdout());
    expect(out.aborted).toBe(true);
    expect(out.evaluated).toBeGreaterThan(0);
    expect(out.evaluated).toBeLessThan(5000);
    expect(out.top.length).toBeGreaterThan(0);
  });

  it('walkforward --json: rolling windows with in/out-of-sample scores, efficiency, stability, and the report', async () => {
    const report = join(tmp(), 'wf.html');
    const c = spawnCli(['walkforward', ...sp500, '--strategy', 'dual-ma-cross', '--range', 'fast=5:50:5', '--range', 'slow=20:200:20', '--param', 'kind=sma',
      '--param', 'fraction=1', '--param', 'allowShort=false', '--constraint', 'fast < slow', '--in-sample', '1000', '--out-of-sample', '500', '--workers', '2', '--json', '--report', report]);
    expect(await c.exited).toBe(0);
    const out = JSON.parse(c.stdout());
    // 5105 bars: windows end at 1500, 2000, …, 5000 → 8 windows.
    expect(out.windows).toHaveLength(8);
    expect(out.mode).toBe('rolling');
    expect(out.windows[1]).toMatchObject({ isStart: 500, isEnd: 1500, oosStart: 1500, oosEnd: 2000 });
    expect(out.stitched.bars).toBe(8 * 500);
    expect(typeof out.efficiency).toBe('number');
    expect(out.stability.map((s: { name: string }) => s.name)).toEqual(['fast', 'slow']);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('id="stability-heatmap"');
    expect(html).toContain('id="oos-equity-chart"');
    expect((html.match(/<tr><td>\d+<\/td><td>\d{4}-/g) ?? []).length).toBe(8);
  });
});
