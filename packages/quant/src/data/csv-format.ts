import { CsvError } from './csv-error.js';
import { parseTimestamp, type EpochUnit } from './timestamp.js';

/**
 * Recognized CSV layouts. `generic` is a header row naming at least time, open, high, low and close
 * (volume optional, extra columns ignored) or headerless `timestamp,open,high,low,close,volume`;
 * `binance` is Binance's 12-column kline export without a header (open time, open, high, low, close,
 * volume, close time, quote volume, trades, taker buy base, taker buy quote, ignore).
 */
export type CsvFormat = 'generic' | 'binance';

/** Which cell holds each field, decided once from the first line. */
export interface ColumnMap {
  format: CsvFormat;
  hasHeader: boolean;
  /** Expected number of cells per row. */
  width: number;
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** -1 when the file has no volume column (volume is then 0). */
  volume: number;
  /** Column names used in error messages. */
  names: string[];
}

const BINANCE_NAMES = [
  'open_time', 'open', 'high', 'low', 'close', 'volume',
  'close_time', 'quote_volume', 'trades', 'taker_buy_base', 'taker_buy_quote', 'ignore',
];

const ALIASES: Record<'time' | 'open' | 'high' | 'low' | 'close' | 'volume', string[]> = {
  time: ['timestamp', 'time', 'date', 'datetime', 'open_time', 'opentime', 'ts'],
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'vol', 'v'],
};

/** Splits one CSV line. Market data never quotes commas, so quotes are only stripped, not parsed. */
export function splitCells(line: string): string[] {
  const cells = line.split(',');
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (c.length > 1 && c.charCodeAt(0) === 34 && c.charCodeAt(c.length - 1) === 34) cells[i] = c.slice(1, -1);
  }
  return cells;
}

/**
 * Decides the layout from the first non-empty line. A first cell that parses as a timestamp means
 * there is no header; then 12 cells mean Binance and 6 mean generic.
 */
export function detectColumns(first: string[], file: string, line: number, wanted: CsvFormat | 'auto'): ColumnMap {
  const headerless = !Number.isNaN(parseTimestamp(first[0] ?? ''));
  if (headerless) {
    if ((wanted === 'binance' || wanted === 'auto') && first.length === 12) {
      return { format: 'binance', hasHeader: false, width: 12, time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5, names: BINANCE_NAMES };
    }
    if (wanted === 'binance') {
      throw new CsvError('column-count', file, line, undefined, `Binance kline rows have 12 columns, found ${first.length}`);
    }
    if (first.length !== 6) {
      throw new CsvError('header', file, line, undefined,
        `no header and ${first.length} columns: expected timestamp,open,high,low,close,volume (6) or a Binance kline row (12)`);
    }
    return { format: 'generic', hasHeader: false, width: 6, time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5,
      names: ['timestamp', 'open', 'high', 'low', 'close', 'volume'] };
  }
  const names = first.map((c) => c.trim().toLowerCase());
  const find = (field: keyof typeof ALIASES) => names.findIndex((n) => ALIASES[field].includes(n));
  const map: ColumnMap = {
    format: 'generic', hasHeader: true, width: names.length,
    time: find('time'), open: find('open'), high: find('high'), low: find('low'), close: find('close'), volume: find('volume'),
    names,
  };
  for (const f of ['time', 'open', 'high', 'low', 'close'] as const) {
    if (map[f] < 0) {
      throw new CsvError('header', file, line, undefined,
        `header has no ${f} column (accepted names: ${ALIASES[f].join(', ')}); found: ${names.join(', ')}`);
    }
  }
  return map;
}

/** A parsed row. */
export interface ParsedRow {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

function num(cells: string[], idx: number, map: ColumnMap, file: string, line: number): number {
  const text = cells[idx].trim();
  const v = text === '' ? NaN : Number(text);
  if (!Number.isFinite(v)) {
    throw new CsvError('not-a-number', file, line, map.names[idx], `expected a number, found "${cells[idx]}"`);
  }
  return v;
}

/** True when high and low contain open and close (high ≥ open, close ≥ low). */
export function consistent(open: number, high: number, low: number, close: number): boolean {
  return !(high < low || high < open || high < close || low > open || low > close);
}

/** Parses and checks one data row: cell count, numbers, a valid timestamp and high ≥ open, close ≥ low. */
export function parseRow(cells: string[], map: ColumnMap, file: string, line: number, unit?: EpochUnit): ParsedRow {
  if (cells.length !== map.width) {
    throw new CsvError('column-count', file, line, undefined, `expected ${map.width} columns, found ${cells.length}`);
  }
  let time = NaN;
  try {
    time = parseTimestamp(cells[map.time], unit);
  } catch {
    // Out-of-range epoch numbers are reported below as a bad timestamp with file and line.
  }
  if (!Number.isFinite(time)) {
    throw new CsvError('bad-timestamp', file, line, map.names[map.time],
      `"${cells[map.time]}" is not an epoch (s, ms, µs) or ISO-8601 timestamp`);
  }
  const open = num(cells, map.open, map, file, line);
  const high = num(cells, map.high, map, file, line);
  const low = num(cells, map.low, map, file, line);
  const close = num(cells, map.close, map, file, line);
  const volume = map.volume < 0 ? 0 : num(cells, map.volume, map, file, line);
  if (!consistent(open, high, low, close)) {
    throw new CsvError('inconsistent-bar', file, line, undefined,
      `high ${high} / low ${low} do not contain open ${open} and close ${close}`);
  }
  return { time, open, high, low, close, volume };
}
