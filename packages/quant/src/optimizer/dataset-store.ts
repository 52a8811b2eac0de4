/**
 * How remote workers get the data: the coordinator stores the dataset's columns in Redis once, under
 * the SHA-256 of their bytes; a worker fetches it on its first job for that hash, checks the hash, and
 * keeps it in memory (and in its threads' caches) for every later job. Machines need no shared
 * filesystem, and a re-run of the same data stores nothing new. Redis caps a value at 512 MB: about
 * 11 M bars (48 bytes each).
 */
import { createHash } from 'node:crypto';
import { OhlcvSeries } from '../data/ohlcv.js';

/** The part of an ioredis client the store uses (BullMQ hands out such clients). */
export interface RedisLike {
  set(key: string, value: Buffer, ...args: (string | number)[]): Promise<unknown>;
  expire(key: string, seconds: number): Promise<unknown>;
  getBuffer(key: string): Promise<Buffer | null>;
}

/** Key prefix of stored datasets. */
export const DATASET_PREFIX = 'xev-quant:dataset:';

/** How long a stored dataset lives after its last sweep, seconds (a week: long enough to re-run). */
const TTL_SECONDS = 7 * 24 * 3600;

/** The series' six columns as one buffer, in the shared-buffer layout (column k at k·length·8). */
export function datasetBytes(series: OhlcvSeries): Buffer {
  const n = series.length;
  const out = Buffer.allocUnsafe(n * 48);
  const cols = [series.time, series.open, series.high, series.low, series.close, series.volume];
  cols.forEach((c, k) => out.set(new Uint8Array(c.buffer, c.byteOffset, n * 8), k * n * 8));
  return out;
}

/** SHA-256 (hex) of {@link datasetBytes}: the dataset's identity across machines. */
export function datasetHash(series: OhlcvSeries): string {
  return createHash('sha256').update(datasetBytes(series)).digest('hex');
}

/** Stores the dataset unless already there (SET NX) and refreshes its expiry; returns its hash. */
export async function storeDataset(redis: RedisLike, series: OhlcvSeries): Promise<{ hash: string; length: number }> {
  const bytes = datasetBytes(series);
  const hash = createHash('sha256').update(bytes).digest('hex');
  await redis.set(DATASET_PREFIX + hash, bytes, 'EX', TTL_SECONDS, 'NX');
  await redis.expire(DATASET_PREFIX + hash, TTL_SECONDS);
  return { hash, length: series.length };
}

/** Fetches a stored dataset into a new shared series, verifying its hash. */
export async function fetchDataset(redis: RedisLike, hash: string): Promise<OhlcvSeries> {
  const bytes = await redis.getBuffer(DATASET_PREFIX + hash);
  if (!bytes) throw new Error(`dataset ${hash} is not in Redis (expired, or stored on another server)`);
  const got = createHash('sha256').update(bytes).digest('hex');
  if (got !== hash) throw new Error(`dataset ${hash} in Redis has hash ${got}`);
  if (bytes.length % 48 !== 0) throw new Error(`dataset ${hash} has ${bytes.length} bytes, not a whole number of bars`);
  const n = bytes.length / 48;
  const s = OhlcvSeries.allocate(n);
  new Uint8Array(s.buffer, 0, bytes.length).set(bytes);
  return s;
}
