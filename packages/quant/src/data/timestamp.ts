/**
 * Timestamp cells: epoch numbers in seconds, milliseconds or microseconds (Binance switched its
 * spot kline files to microseconds in 2025), or ISO-8601 dates / date-times.
 */

/** Unit of a numeric epoch timestamp. */
export type EpochUnit = 's' | 'ms' | 'us';

/**
 * Picks the unit of an epoch number from its magnitude. The thresholds are the values of each unit
 * at 5138-11-16 (1e11 s) and 1973-03-03 (1e11 ms, 1e14 µs): any real market timestamp after 1973 and
 * before year 5000 falls in exactly one band, so the guess is unambiguous for market data.
 */
export function detectEpochUnit(value: number): EpochUnit {
  const a = Math.abs(value);
  if (a < 1e11) return 's';
  if (a < 1e14) return 'ms';
  if (a < 1e17) return 'us';
  throw new RangeError(`timestamp ${value} is too large for seconds, milliseconds or microseconds`);
}

/** Converts an epoch number in `unit` to milliseconds. */
export function epochToMs(value: number, unit: EpochUnit): number {
  return unit === 's' ? value * 1000 : unit === 'ms' ? value : Math.floor(value / 1000);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses one timestamp cell to epoch milliseconds UTC, or returns NaN when it is not a timestamp.
 * ISO date-times without an offset are read as UTC (not local time) so results do not depend on
 * the machine's time zone.
 */
export function parseTimestamp(cell: string, unit?: EpochUnit): number {
  const text = cell.trim();
  if (text === '') return NaN;
  if (/^-?(\d+\.?\d*|\.\d+)$/.test(text)) {
    const v = Number(text);
    return epochToMs(v, unit ?? detectEpochUnit(v));
  }
  if (ISO_DATE.test(text)) return Date.parse(`${text}T00:00:00Z`);
  if (ISO_DATETIME.test(text)) {
    const normalized = text.replace(' ', 'T');
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(normalized);
    return Date.parse(hasZone ? normalized : `${normalized}Z`);
  }
  return NaN;
}
