import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { computeMetrics, dualMaCross, renderReport, runBacktest } from '../src/index.js';
import { randomWalk } from './synthetic.js';

const CHROMIUM = '/usr/bin/chromium';
// Skip only on a developer machine without Chromium; in CI (CI set) a missing browser must fail.
const skip = !existsSync(CHROMIUM) && !process.env.CI;

describe.skipIf(skip)('HTML report renders in headless Chromium', () => {
  it('draws the equity and drawdown charts and lists every trade, with no network access', async () => {
    const data = randomWalk(4000, 5);
    const result = runBacktest(data, dualMaCross, { fast: 10, slow: 40 }, { fees: { taker: 0.001 } });
    const metrics = computeMetrics(result);
    const dir = mkdtempSync(join(tmpdir(), 'xev-quant-report-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderReport({ title: 'test <report>', result, metrics }));
    const url = pathToFileURL(file).href;

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      expect(await page.title()).toBe('test <report>');

      for (const id of ['equity-chart', 'drawdown-chart']) {
        const box = await page.locator(`svg#${id}`).boundingBox();
        expect(box, id).not.toBeNull();
        expect(box!.width).toBeGreaterThan(500);
        expect(box!.height).toBeGreaterThan(100);
      }
      // The lines are really drawn: each path has rendered length and a non-degenerate bounding box.
      const lines = await page.$$eval('svg.chart path.series', (paths) =>
        paths.map((p) => {
          // Structural type instead of SVGPathElement: the package compiles without the DOM lib.
          const g = p as unknown as { getBBox(): { width: number; height: number }; getTotalLength(): number; dataset: Record<string, string | undefined> };
          const b = g.getBBox();
          return { label: g.dataset.label, length: g.getTotalLength(), w: b.width, h: b.height, points: Number(g.dataset.points) };
        }),
      );
      expect(lines.map((l) => l.label)).toEqual(['dual-ma-cross', 'buy & hold', 'drawdown']);
      for (const l of lines) {
        expect(l.length).toBeGreaterThan(500);
        expect(l.w).toBeGreaterThan(700);
        expect(l.h).toBeGreaterThan(10);
        expect(l.points).toBeGreaterThan(100);
      }
      expect(await page.locator('svg#drawdown-chart path.area').count()).toBe(1);
      expect(await page.locator('#trades tbody tr').count()).toBe(result.trades.length);
      expect(result.trades.length).toBeGreaterThan(10);
      expect(await page.locator('#metrics tr').count()).toBeGreaterThan(15);
      // Offline by construction: the only request is the report file itself.
      expect(requests).toEqual([url]);
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
