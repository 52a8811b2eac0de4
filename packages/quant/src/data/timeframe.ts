/**
 * Timeframes from `1s` to `1M`. Fixed-length units (s, m, h, d, w) bucket by epoch arithmetic;
 * months are calendar months in UTC because their length varies.
 */

/** A parsed timeframe such as `{ count: 4, unit: 'h' }` for `4h`. */
export interface Timeframe {
  /** Multiplier, a positive integer. */
  count: number;
  /** `s` seconds, `m` minutes, `h` hours, `d` days, `w` weeks (Monday 00:00 UTC), `M` calendar months. */
  unit: 's' | 'm' | 'h' | 'd' | 'w' | 'M';
  /** The canonical text, e.g. `4h`. */
  text: string;
}

const UNIT_MS: Record<Exclude<Timeframe['unit'], 'M'>, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Average month length (365.25 / 12 days), used only where a single number is needed (e.g. annualizing). */
const AVG_MONTH_MS = (365.25 / 12) * 86_400_000;

/** 1970-01-01 was a Thursday; weeks start on Monday, 4 days later, as exchanges bucket them. */
const WEEK_OFFSET_MS = 4 * 86_400_000;

/**
 * Parses `1s`, `15m`, `4h`, `1d`, `1w`, `1M`, … . Throws a `RangeError` naming the text otherwise.
 * Lower-case `m` is minutes and upper-case `M` months, as on Binance.
 */
export function parseTimeframe(text: string): Timeframe {
  const m = /^(\d+)([smhdwM])$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) {
    throw new RangeError(`invalid timeframe "${text}": expected <n><unit> with unit s, m, h, d, w or M (e.g. 1h, 1d)`);
  }
  return { count: Number(m[1]), unit: m[2] as Timeframe['unit'], text: `${Number(m[1])}${m[2]}` };
}

/** Nominal length of one bar in milliseconds (months use the average month length). */
export function timeframeMs(tf: Timeframe): number {
  return tf.unit === 'M' ? tf.count * AVG_MONTH_MS : tf.count * UNIT_MS[tf.unit];
}

/** Start (epoch ms UTC) of the bucket of timeframe `tf` containing time `t`. */
export function bucketStart(tf: Timeframe, t: number): number {
  if (tf.unit === 'M') {
    const d = new Date(t);
    const months = d.getUTCFullYear() * 12 + d.getUTCMonth();
    const start = months - (((months % tf.count) + tf.count) % tf.count);
    return Date.UTC(Math.floor(start / 12), start % 12, 1);
  }
  const size = tf.count * UNIT_MS[tf.unit];
  const offset = tf.unit === 'w' ? WEEK_OFFSET_MS : 0;
  return Math.floor((t - offset) / size) * size + offset;
}

/** Start of the bucket after the one containing `t`. */
export function nextBucketStart(tf: Timeframe, t: number): number {
  const start = bucketStart(tf, t);
  if (tf.unit === 'M') {
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + tf.count, 1);
  }
  return start + tf.count * UNIT_MS[tf.unit];
}

/** True when `coarse` is an exact multiple of `fine`, so bars of `fine` resample cleanly into `coarse`. */
export function isMultipleOf(coarse: Timeframe, fine: Timeframe): boolean {
  // Calendar months are whole days, so any timeframe that tiles a day tiles a month.
  if (coarse.unit === 'M') return fine.unit === 'M' ? coarse.count % fine.count === 0 : 86_400_000 % timeframeMs(fine) === 0;
  if (fine.unit === 'M') return false;
  const c = timeframeMs(coarse);
  const f = timeframeMs(fine);
  return c >= f && c % f === 0;
}

const CANDIDATES = ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '1w'].map(parseTimeframe);

/**
 * Infers the timeframe as the smallest spacing between consecutive bars, snapped to a standard
 * timeframe; spacings of 28–31 days mean monthly bars. `maxBars` limits the scan to a prefix (the
 * backtesters use 10 000 bars: gaps only widen spacings, so a prefix that long finds the bar size).
 */
export function inferTimeframe(time: Float64Array, maxBars = Infinity): Timeframe {
  let min = Infinity;
  const end = Math.min(time.length, maxBars);
  for (let i = 1; i < end; i++) min = Math.min(min, time[i] - time[i - 1]);
  if (!Number.isFinite(min)) return parseTimeframe('1d');
  const day = 86_400_000;
  if (min >= 28 * day && min <= 31 * day) return parseTimeframe('1M');
  const exact = CANDIDATES.find((tf) => timeframeMs(tf) === min);
  if (exact) return exact;
  if (min % day === 0) return parseTimeframe(`${min / day}d`);
  if (min % 60_000 === 0) return parseTimeframe(`${min / 60_000}m`);
  return parseTimeframe(`${Math.max(1, Math.round(min / 1000))}s`);
}
