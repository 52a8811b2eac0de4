/**
 * A small HDR-style latency histogram: log₂ buckets split into 32 linear sub-buckets, so any recorded
 * value is reported within 1/32 (≈3 %) of itself from 1 ns to hours, in a fixed 2,048-slot array with
 * no allocation per sample. Enough for p50/p99/p99.9 of tick-to-order latencies.
 */

const SUB = 32;
const SUB_BITS = 5;

/** Records non-negative integer values (nanoseconds) and answers percentiles. */
export class LatencyHistogram {
  readonly #counts = new Float64Array(64 * SUB);
  #n = 0;
  #max = 0;
  #min = Infinity;
  #sum = 0;

  /** Records one value (rounded down to an integer; negatives count as 0). */
  record(value: number): void {
    const v = value > 0 ? Math.floor(value) : 0;
    this.#counts[LatencyHistogram.index(v)]++;
    this.#n++;
    this.#sum += v;
    if (v > this.#max) this.#max = v;
    if (v < this.#min) this.#min = v;
  }

  /** The slot of `v`: values below 32 get a slot each; above, the top 5 bits after the leading one pick a sub-bucket. */
  static index(v: number): number {
    if (v < SUB) return v;
    const e = Math.floor(Math.log2(v));
    const shift = e - SUB_BITS;
    const mant = Math.floor(v / 2 ** shift) - SUB; // 0 … 31
    return (e - SUB_BITS + 1) * SUB + mant;
  }

  /** The largest value that lands in slot `i` (what percentiles report, as HDR does). */
  static upper(i: number): number {
    if (i < SUB) return i;
    const k = Math.floor(i / SUB) - 1;
    const mant = i % SUB;
    return (SUB + mant + 1) * 2 ** k - 1;
  }

  /** Number of values recorded. */
  get count(): number {
    return this.#n;
  }

  /** Largest value recorded (exact). */
  get max(): number {
    return this.#n ? this.#max : NaN;
  }

  /** Smallest value recorded (exact). */
  get min(): number {
    return this.#n ? this.#min : NaN;
  }

  /** Mean of the values recorded (exact). */
  get mean(): number {
    return this.#n ? this.#sum / this.#n : NaN;
  }

  /** The value at percentile `p` (0–100): the upper edge of the slot holding that rank, capped at the max. */
  percentile(p: number): number {
    if (this.#n === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#n));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i];
      if (seen >= rank) return Math.min(LatencyHistogram.upper(i), this.#max);
    }
    return this.#max;
  }
}
