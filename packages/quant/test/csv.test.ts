import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  CsvError, parseOhlcvCsv, readOhlcvCsv, readOhlcvCsvStream, resample, parseTimeframe, bucketStart, detectEpochUnit,
} from '../src/index.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

function csvError(fn: () => unknown): CsvError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CsvError);
    return e as CsvError;
  }
  throw new Error('expected a CsvError');
}

describe('CSV formats', () => {
  it('reads a generic file with a header, in ms', () => {
    const text = `timestamp,open,high,low,close,volume\n${T0},1,2,0.5,1.5,10\n${T0 + H},1.5,3,1,2,20\n`;
    const { series, format, timeframe } = parseOhlcvCsv(text);
    expect(format).toBe('generic');
    expect(timeframe.text).toBe('1h');
    expect(Array.from(series.time)).toEqual([T0, T0 + H]);
    expect(Array.from(series.close)).toEqual([1.5, 2]);
    expect(series.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('detects seconds and microseconds and converts to ms', () => {
    const s = parseOhlcvCsv(`${T0 / 1000},1,1,1,1,0\n${(T0 + H) / 1000},1,1,1,1,0\n`).series;
    expect(Array.from(s.time)).toEqual([T0, T0 + H]);
    const us = parseOhlcvCsv(`${T0 * 1000},1,1,1,1,0\n${(T0 + H) * 1000},1,1,1,1,0\n`).series;
    expect(Array.from(us.time)).toEqual([T0, T0 + H]);
    expect([detectEpochUnit(1.7e9), detectEpochUnit(1.7e12), detectEpochUnit(1.7e15)]).toEqual(['s', 'ms', 'us']);
  });

  it('reads Binance 12-column klines without a header', () => {
    const row = (t: number, c: number) => `${t},${c},${c + 1},${c - 1},${c},5,${t + H - 1},500,7,2,200,0`;
    const r = parseOhlcvCsv(`${row(T0, 100)}\n${row(T0 + H, 101)}\n`);
    expect(r.format).toBe('binance');
    expect(Array.from(r.series.high)).toEqual([101, 102]);
    expect(Array.from(r.series.volume)).toEqual([5, 5]);
  });

  it('reads ISO dates with extra columns (vega-datasets layout) and allows weekend gaps when asked', () => {
    const text = 'date,open,high,low,close,adjclose,volume\n2000-01-03,10,11,9,10.5,10.5,100\n2000-01-04,10.5,12,10,11,11,200\n2000-01-07,11,11,10,10.2,10.2,50\n';
    expect(csvError(() => parseOhlcvCsv(text, { fileName: 'sp.csv' })).reason).toBe('gap');
    const r = parseOhlcvCsv(text, { gaps: 'allow' });
    expect(r.series.time[0]).toBe(Date.UTC(2000, 0, 3));
    expect(r.timeframe.text).toBe('1d');
    expect(r.gaps).toEqual([{ line: 4, index: 2, from: Date.UTC(2000, 0, 4), to: Date.UTC(2000, 0, 7), missing: 2 }]);
  });

  it('streams a file by chunks with CRLF line ends and a BOM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xev-quant-'));
    const path = join(dir, 'bars.csv');
    const lines = ['\ufefftimestamp,open,high,low,close,volume'];
    for (let i = 0; i < 5000; i++) lines.push(`${T0 + i * 60_000},${i},${i + 1},${i},${i + 0.5},1`);
    writeFileSync(path, lines.join('\r\n'));
    const r = await readOhlcvCsv(path);
    expect(r.series.length).toBe(5000);
    expect(r.timeframe.text).toBe('1m');
    expect(r.series.close[4999]).toBe(4999.5);
  });

  it('handles lines split across stream chunks', async () => {
    const text = `timestamp,open,high,low,close,volume\n${T0},1,2,0.5,1.5,10\n${T0 + H},1.5,3,1,2,20`;
    const chunks = text.match(/.{1,7}/gs) ?? [];
    const r = await readOhlcvCsvStream(Readable.from(chunks.map((c) => Buffer.from(c))));
    expect(Array.from(r.series.open)).toEqual([1, 1.5]);
  });
});

describe('CSV errors name file, line and column', () => {
  const head = 'timestamp,open,high,low,close,volume\n';
  it('malformed number', () => {
    const e = csvError(() => parseOhlcvCsv(`${head}${T0},1,2,0.5,abc,10\n`, { fileName: 'a.csv' }));
    expect(e.reason).toBe('not-a-number');
    expect(e.message).toBe('a.csv:2, column close: expected a number, found "abc"');
  });
  it('empty cell', () => {
    const e = csvError(() => parseOhlcvCsv(`${head}${T0},1,2,,1.5,10\n`, { fileName: 'a.csv' }));
    expect([e.line, e.column]).toEqual([2, 'low']);
  });
  it('wrong column count', () => {
    const e = csvError(() => parseOhlcvCsv(`${head}${T0},1,2,0.5,1.5,10\n${T0 + H},1,2\n`, { fileName: 'a.csv' }));
    expect(e.reason).toBe('column-count');
    expect(e.line).toBe(3);
  });
  it('bad timestamp', () => {
    const e = csvError(() => parseOhlcvCsv(`${head}yesterday,1,2,0.5,1.5,10\n`, { fileName: 'a.csv' }));
    expect([e.reason, e.line, e.column]).toEqual(['bad-timestamp', 2, 'timestamp']);
  });
  it('high below low', () => {
    const e = csvError(() => parseOhlcvCsv(`${head}${T0},1,0.5,2,1,10\n`, { fileName: 'a.csv' }));
    expect(e.reason).toBe('inconsistent-bar');
  });
  it('duplicate timestamp', () => {
    const e = csvError(() => parseOhlcvCsv(`${head}${T0},1,2,0.5,1.5,10\n${T0},1,2,0.5,1.5,10\n`, { fileName: 'd.csv' }));
    expect([e.reason, e.file, e.line, e.column]).toEqual(['duplicate', 'd.csv', 3, 'timestamp']);
    expect(e.message).toContain('line 2 has the same time');
  });
  it('out of order', () => {
    const e = csvError(() => parseOhlcvCsv(`${head}${T0 + H},1,2,0.5,1.5,10\n${T0},1,2,0.5,1.5,10\n`, { fileName: 'o.csv' }));
    expect([e.reason, e.line]).toEqual(['out-of-order', 3]);
  });
  it('gap with an explicit timeframe', () => {
    const rows = [0, 1, 2, 5, 6].map((k) => `${T0 + k * H},1,2,0.5,1.5,10`).join('\n');
    const e = csvError(() => parseOhlcvCsv(head + rows, { fileName: 'g.csv', timeframe: '1h' }));
    expect([e.reason, e.line, e.column]).toEqual(['gap', 5, 'timestamp']);
    expect(e.message).toContain('2 missing 1h bar(s)');
  });
  it('missing header column', () => {
    const e = csvError(() => parseOhlcvCsv('time,open,high,close\n1,1,1,1\n'));
    expect(e.reason).toBe('header');
    expect(e.message).toContain('no low column');
  });
  it('errors from a stream carry the file name', async () => {
    await expect(readOhlcvCsvStream(Readable.from([`${head}${T0},x,2,0.5,1.5,10\n`]), { fileName: 'f.csv' }))
      .rejects.toThrow('f.csv:2, column open');
  });
});

describe('timeframes and resampling', () => {
  it('parses 1s…1M and rejects junk', () => {
    expect(parseTimeframe('15m')).toEqual({ count: 15, unit: 'm', text: '15m' });
    expect(parseTimeframe('1M').unit).toBe('M');
    expect(() => parseTimeframe('1y')).toThrow(/invalid timeframe "1y"/);
  });
  it('buckets weeks from Monday and months by calendar', () => {
    // 2024-01-03 is a Wednesday; its week starts Monday 2024-01-01.
    expect(bucketStart(parseTimeframe('1w'), Date.UTC(2024, 0, 3, 12))).toBe(Date.UTC(2024, 0, 1));
    expect(bucketStart(parseTimeframe('1M'), Date.UTC(2024, 1, 29, 23))).toBe(Date.UTC(2024, 1, 1));
    expect(bucketStart(parseTimeframe('3M'), Date.UTC(2024, 4, 10))).toBe(Date.UTC(2024, 3, 1));
  });
  it('resamples 1h to 4h: first open, max high, min low, last close, summed volume', () => {
    const rows = Array.from({ length: 8 }, (_, k) => `${T0 + k * H},${k},${k + 10},${k - 10},${k + 0.5},${k + 1}`);
    const { series } = parseOhlcvCsv(rows.join('\n'));
    const r = resample(series, '4h');
    expect(r.length).toBe(2);
    expect(Array.from(r.time)).toEqual([T0, T0 + 4 * H]);
    expect(Array.from(r.open)).toEqual([0, 4]);
    expect(Array.from(r.high)).toEqual([13, 17]);
    expect(Array.from(r.low)).toEqual([-10, -6]);
    expect(Array.from(r.close)).toEqual([3.5, 7.5]);
    expect(Array.from(r.volume)).toEqual([10, 26]);
  });
  it('refuses targets that are not whole multiples of the source', () => {
    const rows = Array.from({ length: 8 }, (_, k) => `${T0 + k * H},1,2,0.5,1.5,1`);
    const { series } = parseOhlcvCsv(rows.join('\n'));
    expect(() => resample(series, '90m')).toThrow('cannot resample 1h bars to 90m');
    expect(() => resample(series, '30m')).toThrow(/whole multiple/);
    expect(resample(series, '1M').length).toBe(1);
    expect(resample(series, '1w').length).toBe(1);
  });
});
