import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDecimal as parseBytes, scanRow } from '../src/data/csv-fast.js';

/** Parses `text[start, end)` through the byte parser (ASCII, so character and byte offsets agree). */
const parseDecimal = (text: string, start: number, end: number) => parseBytes(Buffer.from(text, 'latin1'), start, end);
import { CsvError, parseOhlcvCsv } from '../src/index.js';

describe('parseDecimal agrees with Number() or declines', () => {
  it.each([
    ['42283.58000000', 42283.58], ['0.00012345', 0.00012345], ['-1.5', -1.5], ['.5', 0.5], ['5.', 5], ['007', 7],
    ['1704067200000', 1704067200000], ['1704067200000000', 1704067200000000], ['9007199254740992', 2 ** 53],
    // One rounding of an exact even product plus a digit is a correct rounding, like Number().
    ['9007199254740993', Number('9007199254740993')],
  ])('%s', (text, value) => expect(parseDecimal(text, 0, text.length)).toBe(value));

  it.each(['', '-', '1e5', ' 1', '1 ', '"1"', '1.2.3', 'abc', '12345678901234567', '0.12345678901234567'])(
    'declines %j', (text) => expect(parseDecimal(text, 0, text.length)).toBeNaN());

  it('property: any plain decimal up to 15 significant digits parses bit-identically to Number()', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,9}$/), fc.option(fc.stringMatching(/^[0-9]{0,6}$/)))
      .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}`);
    fc.assert(
      fc.property(decimal, (text) => {
        const v = parseDecimal(`x,${text},y`, 2, 2 + text.length);
        expect(Object.is(v, Number(text))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('property: random doubles printed with toFixed round-trip exactly', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e7, max: 1e7, noNaN: true }), fc.integer({ min: 0, max: 8 }), (x, d) => {
        const text = x.toFixed(d);
        const v = parseDecimal(text, 0, text.length);
        if (!Number.isNaN(v)) expect(Object.is(v, Number(text)) || (v === 0 && Number(text) === 0)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('fast and general CSV paths give the same series', () => {
  it('mixing plain rows with rows only the general path reads (quotes, spaces, exponents)', () => {
    const T = Date.UTC(2024, 0, 1);
    const H = 3_600_000;
    const plain = `timestamp,open,high,low,close,volume\n${T},1.5,2,1,1.75,10\n${T + H},1.75,2.5,1.5,2,20\n${T + 2 * H},2,3,2,2.5,5\n`;
    const mixed = `timestamp,open,high,low,close,volume\n"${T}",1.5,2,1,1.75,1e1\n${T + H}, 1.75,2.5,1.5,2,20\r\n${T + 2 * H},2,3,2,2.5,5`;
    const a = parseOhlcvCsv(plain).series;
    const b = parseOhlcvCsv(mixed).series;
    for (const f of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) expect(b[f]).toEqual(a[f]);
  });

  it('an out-of-range epoch is a CsvError, not a RangeError', () => {
    const e = (() => {
      try {
        parseOhlcvCsv('timestamp,open,high,low,close,volume\n123456789012345678901,1,1,1,1,1\n', { fileName: 'x.csv' });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).reason).toBe('bad-timestamp');
  });
});

describe('scanRow (single pass) agrees with parseDecimal cell by cell', () => {
  it('property: random rows of plain and odd cells', () => {
    const cell = fc.oneof(
      fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,8}$/), fc.option(fc.stringMatching(/^[0-9]{0,6}$/)))
        .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}`),
      fc.constantFrom('', '1e3', 'x', ' 1', '1.2.3', '-'),
    );
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 8 }), (cells, width) => {
        const line = cells.join(',');
        const buf = Buffer.from(line, 'latin1');
        const slots = Int8Array.from({ length: width }, (_, k) => (k < 6 ? k : -1));
        const out = new Float64Array(6).fill(-12345);
        const ok = scanRow(buf, 0, buf.length, width, slots, out);
        const expectOk = cells.length === width && cells.every((c, k) => k >= 6 || !Number.isNaN(parseDecimal(c, 0, c.length)));
        expect(ok).toBe(expectOk);
        if (ok) cells.forEach((c, k) => k < 6 && expect(Object.is(out[k], Number(c))).toBe(true));
      }),
      { numRuns: 3000 },
    );
  });
});
