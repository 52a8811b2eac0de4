/** Data barrel: columnar series, timeframes, CSV ingest and resampling. */
export { OhlcvSeries, OhlcvBuilder, OHLCV_FIELDS, type Bar, type OhlcvField } from './ohlcv.js';
export { parseTimeframe, timeframeMs, bucketStart, nextBucketStart, isMultipleOf, inferTimeframe, type Timeframe } from './timeframe.js';
export { parseTimestamp, detectEpochUnit, epochToMs, type EpochUnit } from './timestamp.js';
export { CsvError, type CsvErrorReason } from './csv-error.js';
export { type CsvFormat } from './csv-format.js';
export {
  parseOhlcvCsv, readOhlcvCsv, readOhlcvCsvStream, findGaps,
  type CsvReadOptions, type CsvLoadResult, type Gap,
} from './csv-reader.js';
export { resample } from './resample.js';
