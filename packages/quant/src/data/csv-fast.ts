import type { ColumnMap } from './csv-format.js';

/** Exact powers of ten: every 10^k for k ≤ 22 is representable in a double. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_EXACT = 2 ** 53;

/**
 * Parses a plain decimal `[-]digits[.digits]` in the bytes `buf[start, end)` to exactly the double
 * `Number()` would return for that text, without decoding or allocating a string; returns NaN when the text needs the general parser
 * (exponents, spaces, quotes, more than 15 significant digits — 16 for integers up to 2^53 such as
 * microsecond timestamps — or anything malformed).
 *
 * Why it is exact: the digits form an integer mantissa below 2^53 and the scale is 10^k with k ≤ 22,
 * both exactly representable, so the one IEEE division mantissa / 10^k is correctly rounded — the
 * same result as a correctly rounded decimal conversion (Clinger's fast path). A 16th integer digit
 * is accepted up to 2^53: the product mantissa·10 is even and below 2^54, hence exact, so adding the
 * last digit rounds once, correctly, as `Number()` does.
 */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  if (i < end && buf[i] === 45) {
    neg = true;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let dot = false;
  let any = false;
  for (; i < end; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) {
      any = true;
      if (digits > 0 || c !== 48) digits++;
      mant = mant * 10 + (c - 48);
      if (dot) frac++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      return NaN;
    }
  }
  if (!any || frac > 22) return NaN;
  if (digits > 15 && !(digits === 16 && frac === 0 && mant <= MAX_EXACT)) return NaN;
  const v = frac === 0 ? mant : mant / POW10[frac];
  return neg ? -v : v;
}

/** Column index → field slot (0 time, 1 open, 2 high, 3 low, 4 close, 5 volume, −1 ignored). */
export function slotsOf(map: ColumnMap): Int8Array {
  const slots = new Int8Array(map.width).fill(-1);
  [map.time, map.open, map.high, map.low, map.close, map.volume].forEach((col, slot) => {
    if (col >= 0) slots[col] = slot;
  });
  return slots;
}

/**
 * Reads one row's six fields into `out` straight from the bytes, in a single pass: each cell is
 * parsed by the same rules as {@link parseDecimal} while scanning for the next comma. Returns false
 * whenever the row is anything but plain numbers in the expected number of cells; the caller then
 * takes the general path, which either handles the row (ISO dates, quotes, exponents) or throws the
 * precise error for it.
 */
export function scanRow(buf: Uint8Array, start: number, end: number, width: number, slots: Int8Array, out: Float64Array): boolean {
  let i = start;
  for (let col = 0; col < width; col++) {
    const slot = slots[col];
    if (slot < 0) {
      while (i < end && buf[i] !== 44) i++;
    } else {
      let neg = false;
      if (i < end && buf[i] === 45) {
        neg = true;
        i++;
      }
      let mant = 0;
      let digits = 0;
      let frac = 0;
      let dot = false;
      let any = false;
      for (; i < end; i++) {
        const c = buf[i];
        if (c === 44) break;
        if (c >= 48 && c <= 57) {
          any = true;
          if (digits > 0 || c !== 48) digits++;
          mant = mant * 10 + (c - 48);
          if (dot) frac++;
        } else if (c === 46 && !dot) {
          dot = true;
        } else {
          return false;
        }
      }
      if (!any || frac > 22) return false;
      if (digits > 15 && !(digits === 16 && frac === 0 && mant <= MAX_EXACT)) return false;
      const v = frac === 0 ? mant : mant / POW10[frac];
      out[slot] = neg ? -v : v;
    }
    // Each cell but the last must end at a comma, and the last at the end of the line.
    if (col < width - 1) {
      if (i >= end) return false;
      i++;
    } else if (i !== end) {
      return false;
    }
  }
  return true;
}
