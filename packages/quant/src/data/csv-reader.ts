import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { CsvError } from './csv-error.js';
import { consistent, detectColumns, parseRow, splitCells, type ColumnMap, type CsvFormat } from './csv-format.js';
import { scanRow, slotsOf } from './csv-fast.js';
import { OhlcvBuilder, type OhlcvSeries } from './ohlcv.js';
import { inferTimeframe, nextBucketStart, parseTimeframe, timeframeMs, type Timeframe } from './timeframe.js';
import { detectEpochUnit, epochToMs, type EpochUnit } from './timestamp.js';

/** Options for CSV ingest. */
export interface CsvReadOptions {
  /** Layout; `auto` (default) detects it from the first line. */
  format?: CsvFormat | 'auto';
  /** Bar timeframe, e.g. `1h`. When omitted it is inferred as the smallest spacing between bars. */
  timeframe?: string | Timeframe;
  /**
   * What to do when bars are missing: `error` (default) throws on the first gap, `allow` records the
   * gaps in the result. Daily equity data needs `allow` because markets close on weekends and holidays.
   */
  gaps?: 'error' | 'allow';
  /** Force the unit of numeric timestamps instead of detecting it from each value's magnitude. */
  epochUnit?: EpochUnit;
  /** Name used in error messages (defaults to the path, or `<string>`). */
  fileName?: string;
}

/** One run of missing bars. */
export interface Gap {
  /** 1-based line of the bar after the gap. */
  line: number;
  /** Index (in the series) of the bar after the gap. */
  index: number;
  /** Time of the bar before the gap. */
  from: number;
  /** Time of the bar after the gap. */
  to: number;
  /** How many bars are missing. */
  missing: number;
}

/** The result of ingest. */
export interface CsvLoadResult {
  /** The bars. */
  series: OhlcvSeries;
  /** Layout detected. */
  format: CsvFormat;
  /** Timeframe given or inferred. */
  timeframe: Timeframe;
  /** Runs of missing bars (empty unless gaps are allowed). */
  gaps: Gap[];
}

/** UTF-8 decoder for the rows the fast path declines; keeps a BOM so line 1 can strip it explicitly. */
const DECODER = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Incremental parser: feed it lines in order; it keeps only the columns it has built, never the text.
 * Ordering is checked as rows arrive; gaps are checked at the end because the timeframe may be
 * inferred from the whole file.
 */
class CsvIngest {
  private map: ColumnMap | undefined;
  private slots: Int8Array | undefined;
  private readonly row = new Float64Array(6);
  private readonly builder = new OhlcvBuilder(4096);
  private lines: Uint32Array = new Uint32Array(4096);
  private lineNo = 0;

  constructor(private readonly file: string, private readonly opts: CsvReadOptions) {}

  /**
   * Ingests the line `buf[start, end)` (without its newline). Lines are handled as UTF-8 bytes: a
   * newline byte never occurs inside a multi-byte character, so splitting bytes on it is safe, and
   * the common rows never need decoding.
   */
  lineAt(buf: Uint8Array, start: number, end: number): void {
    this.lineNo++;
    if (end > start && buf[end - 1] === 13) end--;
    if (this.slots && this.fast(buf, start, end)) return;
    this.general(DECODER.decode(buf.subarray(start, end)));
  }

  /**
   * The common case — plain numbers, epoch timestamps — parsed without splitting or substrings.
   * Declines (returns false) for anything else, including rows that fail validation, so every error
   * is raised by the general path with the same message.
   */
  private fast(buf: Uint8Array, start: number, end: number): boolean {
    const map = this.map as ColumnMap;
    const r = this.row;
    if (!scanRow(buf, start, end, map.width, this.slots as Int8Array, r)) return false;
    const t = r[0];
    const time = epochToMs(t, this.opts.epochUnit ?? detectEpochUnit(t));
    const volume = map.volume < 0 ? 0 : r[5];
    if (!consistent(r[1], r[2], r[3], r[4]) || !(time > this.builder.lastTime() || this.builder.length === 0)) return false;
    this.accept(time, r[1], r[2], r[3], r[4], volume);
    return true;
  }

  /** Header detection, ISO timestamps, quoted cells and every error message. */
  private general(raw: string): void {
    let text = raw;
    // The decoder keeps a byte-order mark (ignoreBOM) so it is stripped here, on line 1 only.
    if (this.lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() === '') return;
    const cells = splitCells(text);
    if (!this.map) {
      this.map = detectColumns(cells, this.file, this.lineNo, this.opts.format ?? 'auto');
      this.slots = slotsOf(this.map);
      if (this.map.hasHeader) return;
    }
    const row = parseRow(cells, this.map, this.file, this.lineNo, this.opts.epochUnit);
    const prev = this.builder.lastTime();
    if (row.time === prev) {
      throw new CsvError('duplicate', this.file, this.lineNo, this.map.names[this.map.time],
        `duplicate timestamp ${new Date(row.time).toISOString()} (line ${this.lines[this.builder.length - 1]} has the same time)`);
    }
    if (row.time < prev) {
      throw new CsvError('out-of-order', this.file, this.lineNo, this.map.names[this.map.time],
        `timestamp ${new Date(row.time).toISOString()} is earlier than the previous row's ${new Date(prev).toISOString()}; rows must be in ascending time order`);
    }
    this.accept(row.time, row.open, row.high, row.low, row.close, row.volume);
  }

  private accept(time: number, open: number, high: number, low: number, close: number, volume: number): void {
    const i = this.builder.length;
    if (i === this.lines.length) {
      const next = new Uint32Array(this.lines.length * 2);
      next.set(this.lines);
      this.lines = next;
    }
    this.lines[i] = this.lineNo;
    this.builder.push(time, open, high, low, close, volume);
  }

  finish(): CsvLoadResult {
    if (!this.map || this.builder.length === 0) {
      throw new CsvError('empty', this.file, Math.max(1, this.lineNo), undefined, 'no data rows');
    }
    const series = this.builder.finish();
    const tf = this.opts.timeframe === undefined
      ? inferTimeframe(series.time)
      : typeof this.opts.timeframe === 'string' ? parseTimeframe(this.opts.timeframe) : this.opts.timeframe;
    const gaps = findGaps(series.time, tf, this.lines);
    if (gaps.length > 0 && (this.opts.gaps ?? 'error') === 'error') {
      const g = gaps[0];
      throw new CsvError('gap', this.file, g.line, this.map.names[this.map.time],
        `${g.missing} missing ${tf.text} bar(s) between ${new Date(g.from).toISOString()} and ${new Date(g.to).toISOString()} ` +
        `(${gaps.length} gap(s) in total; set gaps to 'allow' to accept them, e.g. xev-quant --gaps allow)`);
    }
    return { series, format: this.map.format, timeframe: tf, gaps };
  }
}

/** Lists runs of missing bars given the expected timeframe. */
export function findGaps(time: Float64Array, tf: Timeframe, lines?: Uint32Array): Gap[] {
  const gaps: Gap[] = [];
  const step = timeframeMs(tf);
  for (let i = 1; i < time.length; i++) {
    const expected = tf.unit === 'M' ? nextBucketStart(tf, time[i - 1]) : time[i - 1] + step;
    if (time[i] > expected) {
      const missing = Math.round((time[i] - time[i - 1]) / step) - 1;
      gaps.push({ line: lines ? lines[i] : i + 1, index: i, from: time[i - 1], to: time[i], missing: Math.max(1, missing) });
    }
  }
  return gaps;
}

/** Parses CSV text already in memory (tests, small files). For files prefer {@link readOhlcvCsv}. */
export function parseOhlcvCsv(text: string, options: CsvReadOptions = {}): CsvLoadResult {
  const ingest = new CsvIngest(options.fileName ?? '<string>', options);
  const buf = Buffer.from(text, 'utf8');
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(10, start);
    if (nl < 0) {
      if (start < buf.length) ingest.lineAt(buf, start, buf.length);
      break;
    }
    ingest.lineAt(buf, start, nl);
    start = nl + 1;
  }
  return ingest.finish();
}

/**
 * Reads CSV from a stream chunk by chunk: only the current chunk and the partial last line are held,
 * as bytes, so multi-gigabyte files ingest in memory proportional to the bars, not the text. Rows of
 * plain numbers are parsed straight from the bytes; others are decoded and take the general path.
 */
export async function readOhlcvCsvStream(stream: Readable, options: CsvReadOptions = {}): Promise<CsvLoadResult> {
  const ingest = new CsvIngest(options.fileName ?? '<stream>', options);
  let rest: Buffer | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    // Only the unfinished last line is carried over (and copied) into the next chunk.
    const buf = rest ? Buffer.concat([rest, bytes]) : bytes;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      ingest.lineAt(buf, start, nl);
      start = nl + 1;
    }
    rest = start < buf.length ? buf.subarray(start) : undefined;
  }
  if (rest) ingest.lineAt(rest, 0, rest.length);
  return ingest.finish();
}

/** Streams a CSV file from disk into a shared columnar series. */
export async function readOhlcvCsv(path: string, options: CsvReadOptions = {}): Promise<CsvLoadResult> {
  // 1 MiB chunks: large enough that per-chunk overhead vanishes, small enough to stay cache friendly.
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    return await readOhlcvCsvStream(stream, { ...options, fileName: options.fileName ?? path });
  } finally {
    stream.destroy();
  }
}
