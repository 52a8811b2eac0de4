import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOhlcvCsv, runDemo, sp500DataPath } from '../src/index.js';

describe('demo on vega-datasets S&P 500 daily', () => {
  it('reads the real series: daily bars with weekend and holiday gaps', async () => {
    const r = await readOhlcvCsv(sp500DataPath(), { gaps: 'allow' });
    expect(r.timeframe.text).toBe('1d');
    expect(r.series.length).toBe(5105);
    expect(r.series.time[0]).toBe(Date.UTC(2000, 0, 3));
    expect(r.series.close[0]).toBeCloseTo(1455.219971, 6);
    expect(r.gaps.length).toBeGreaterThan(1000);
  });

  it('runDemo backtests the golden cross, writes the report and returns a summary', async () => {
    const reportPath = join(mkdtempSync(join(tmpdir(), 'xev-quant-demo-')), 'demo.html');
    const s = await runDemo({ reportPath });
    expect([s.from, s.to, s.bars]).toEqual(['2000-01-03', '2020-04-17', 5105]);
    expect(s.params).toMatchObject({ fast: 50, slow: 200 });
    expect(s.trades).toBeGreaterThan(3);
    expect(s.metrics.periodsPerYear).toBe(252);
    expect(s.metrics.buyAndHoldReturn).toBeCloseTo(2874.560059 / 1455.219971 - 1, 9);
    expect(readFileSync(reportPath, 'utf8')).toContain('<svg id="drawdown-chart"');
  });
});
