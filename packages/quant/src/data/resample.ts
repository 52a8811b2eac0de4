import { OhlcvBuilder, type OhlcvSeries } from './ohlcv.js';
import { bucketStart, inferTimeframe, isMultipleOf, parseTimeframe, type Timeframe } from './timeframe.js';

/**
 * Aggregates bars into a coarser timeframe: first open, highest high, lowest low, last close, summed
 * volume, stamped with the bucket's start. Buckets with no source bars are skipped rather than
 * invented, so gaps in the input stay visible as gaps in the output. Input must be in ascending time.
 * The target must be a whole multiple of the source timeframe (given as `from`, or inferred from
 * the bar spacing), otherwise source bars would straddle target buckets: that is a RangeError.
 */
export function resample(series: OhlcvSeries, to: string | Timeframe, from?: string | Timeframe): OhlcvSeries {
  const tf = typeof to === 'string' ? parseTimeframe(to) : to;
  const src = typeof from === 'string' ? parseTimeframe(from) : from ?? (series.length >= 2 ? inferTimeframe(series.time, 10_000) : undefined);
  if (src && !isMultipleOf(tf, src)) {
    throw new RangeError(`cannot resample ${src.text} bars to ${tf.text}: the target must be a whole multiple of the source timeframe`);
  }
  const out = new OhlcvBuilder(Math.max(16, series.length >> 2));
  const { time, open, high, low, close, volume } = series;
  let i = 0;
  while (i < series.length) {
    const start = bucketStart(tf, time[i]);
    let h = high[i];
    let l = low[i];
    let v = volume[i];
    const o = open[i];
    let c = close[i];
    let j = i + 1;
    while (j < series.length && bucketStart(tf, time[j]) === start) {
      if (high[j] > h) h = high[j];
      if (low[j] < l) l = low[j];
      v += volume[j];
      c = close[j];
      j++;
    }
    out.push(start, o, h, l, c, v);
    i = j;
  }
  return out.finish();
}
