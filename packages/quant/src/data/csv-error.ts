/**
 * The error every CSV ingest failure throws: it names the file, the 1-based line and, when one cell is
 * at fault, the column, so a user can jump straight to the bad row.
 */
export class CsvError extends Error {
  /** File name (or `<string>` for in-memory input). */
  readonly file: string;
  /** 1-based line number in the file. */
  readonly line: number;
  /** Column name at fault, when a single cell is to blame. */
  readonly column: string | undefined;
  /** Machine-readable reason. */
  readonly reason: CsvErrorReason;

  /** Builds the message `file:line[, column c]: detail`. */
  constructor(reason: CsvErrorReason, file: string, line: number, column: string | undefined, detail: string) {
    super(`${file}:${line}${column ? `, column ${column}` : ''}: ${detail}`);
    this.name = 'CsvError';
    this.reason = reason;
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

/** Why a CSV row was rejected. */
export type CsvErrorReason =
  | 'header'
  | 'column-count'
  | 'not-a-number'
  | 'bad-timestamp'
  | 'inconsistent-bar'
  | 'duplicate'
  | 'out-of-order'
  | 'gap'
  | 'empty';
