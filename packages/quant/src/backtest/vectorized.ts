import type { OhlcvSeries } from '../data/ohlcv.js';
import { inferTimeframe, parseTimeframe, type Timeframe } from '../data/timeframe.js';
import type { Size } from '../strategy/orders.js';
import { resolveOptions } from './engine.js';
import { Ledger } from './ledger.js';
import { ColumnarFills, withLazyLog } from './fill-columns.js';
import { MarketBook } from './market-book.js';
import type { BacktestOptions, BacktestResult, FillReason, Rejection } from './types.js';

/** Options of the vectorized path: the backtest options plus the entry size. */
export interface VectorizedOptions extends BacktestOptions {
  /** Size of each entry (default: the options' `defaultSize`). */
  size?: Size;
  /** Name recorded in the result (default `vectorized`). */
  name?: string;
  /**
   * Output arrays to reuse (at least as long as the series). An optimizer running many backtests over
   * one series passes the same buffers each time and avoids allocating — and page-faulting in — a
   * fresh 9 bytes per bar on every run. The result's `equity` and `inMarket` are views of them, so the
   * next run overwrites the previous result's curves. The fill log is reused too (`fills`, or one kept
   * for these buffers): read `fills` and `trades` before the next run — afterwards they throw rather
   * than show the later run's fills.
   */
  buffers?: {
    /** Receives the equity curve. */
    equity: Float64Array;
    /** Receives the in-market flags. */
    inMarket: Uint8Array;
    /**
     * The fill log to reuse (emptied at the start of the run; default: one kept per `equity` buffer).
     * Saves allocating, regrowing and collecting a fresh log per run — on a 10 M-bar run with ~400 k
     * fills that was a fifth of the run time.
     */
    fills?: ColumnarFills;
  };
}

/** The fill log kept for each reused `equity` buffer (weakly, so it goes when the buffers do). */
const keptLogs = new WeakMap<Float64Array, ColumnarFills>();

function logFor(b: VectorizedOptions['buffers'], n: number): ColumnarFills {
  // Capacity guess of one fill per 64 bars avoids most regrowth copies on long series.
  const fresh = () => new ColumnarFills(Math.max(1024, n >> 6));
  if (!b) return fresh();
  if (b.fills) return b.fills;
  let log = keptLogs.get(b.equity);
  if (!log) keptLogs.set(b.equity, (log = fresh()));
  return log;
}

/** Receives the prefetching loads' sum (see runVectorized) so the JIT must perform them. */
let prefetchSink = 0;

/**
 * Equity of a stretch of bars during which the position does not change: a tight loop the JIT
 * compiles once, which is where the vectorized path gets its speed.
 */
function markSegment(equity: Float64Array, inMarket: Uint8Array, close: Float64Array, from: number, to: number, cash: number, qty: number): void {
  // Plain loops: TypedArray#fill is a builtin call whose fixed cost dominates the short segments
  // between frequent fills.
  if (qty === 0) {
    for (let i = from; i < to; i++) {
      equity[i] = cash;
      inMarket[i] = 0;
    }
    return;
  }
  for (let i = from; i < to; i++) {
    equity[i] = cash + qty * close[i];
    inMarket[i] = 1;
  }
}

/**
 * Fast path for strategies whose decisions are a precomputed array: `target[i]` ∈ {1, 0, −1} is the
 * position wanted after bar `i` closes (long, flat, short). Each change of the target is the market
 * order the event-driven engine would place (`enterLong` / `enterShort` / `exit`), sized, slipped,
 * charged and booked with the same arithmetic as the engine's broker (same {@link Ledger}, same
 * trade grouping, same leverage check), so a target array mirroring an event-driven strategy yields
 * identical fills, trades and equity (tested). What it skips is the per-bar work: no strategy callback,
 * no cursor, no order book; the equity between two fills is filled in one tight loop. The ledger
 * invariant is checked after every fill. Supports market orders only: no limits, stops or exits.
 */
export function runVectorized(series: OhlcvSeries, target: ArrayLike<number>, options: VectorizedOptions = {}): BacktestResult {
  const n = series.length;
  if (target.length !== n) throw new RangeError(`target has ${target.length} values for ${n} bars`);
  const o = resolveOptions(options);
  const tf: Timeframe | undefined = typeof options.timeframe === 'string'
    ? parseTimeframe(options.timeframe)
    : options.timeframe ?? (n >= 2 ? inferTimeframe(series.time, 10_000) : undefined);
  const L = new Ledger(o.initialCash, o.shortMarginRate);
  const log = logFor(options.buffers, n);
  log.reset();
  const rejected: Rejection[] = [];
  const size = options.size ?? o.defaultSize;
  const rate = o.fees.taker;
  const fixed = o.fees.fixed;
  const bps = o.slippageBps;
  const { open, high, low, close, time } = series;
  const b = options.buffers;
  if (b && (b.equity.length < n || b.inMarket.length < n)) throw new RangeError(`buffers hold fewer than the ${n} bars of the series`);
  const equity = b ? b.equity.subarray(0, n) : new Float64Array(n);
  const inMarket = b ? b.inMarket.subarray(0, n) : new Uint8Array(n);
  let orderId = 0;
  // The fill path lives in a class, not in closures made per call: optimized code that inlines a
  // closure is tied to that closure object and was thrown away whenever a GC collected the previous
  // run's closures (measured: every run after a full GC re-entered the interpreter).
  const book = new MarketBook(series, L, log, rejected, o, size);

  const atOpen = o.fillAt === 'next-open';
  let prevTarget = 0;
  let warm = 0; // sink for the prefetching loads below, stored at the end so they cannot be optimized away
  let pending = NaN; // target waiting for the next open
  let pendingId = 0;
  let from = 0; // first bar not yet marked
  let i = 0;
  while (i < n) {
    if (pending === pending) {
      markSegment(equity, inMarket, close, from, i, L.cash, L.qty);
      from = i;
      book.execute(pending, i, open, pendingId, 'market');
      pending = NaN;
    }
    const t = target[i];
    if (t !== prevTarget) {
      prevTarget = t;
      const q = L.qty;
      // Mirrors enterLong/enterShort (no-op when already on that side) and exit (no-op when flat).
      if ((t !== 0 && Math.sign(q) !== t) || (t === 0 && q !== 0)) {
        const id = ++orderId;
        if (atOpen) {
          pending = t;
          pendingId = id;
        } else {
          markSegment(equity, inMarket, close, from, i, L.cash, L.qty);
          from = i;
          book.execute(t, i, close, id, 'market');
        }
      }
    }
    i++;
    // Nothing can happen until the target changes: skip ahead with a bare scan.
    if (pending !== pending) {
      while (i < n && target[i] === prevTarget) i++;
      // Touch the open the next fill will read (bar i + 1) now: a market order fills at the open of
      // the bar after the signal, and that column is otherwise never read in sequence, so each fill
      // paid a full cache miss. Loaded here, the miss overlaps the marking of the segment before it.
      if (i + 1 < n) warm += open[i + 1];
    }
  }
  markSegment(equity, inMarket, close, from, n, L.cash, L.qty);
  prefetchSink = warm;
  if (n > 0 && o.closeAtEnd && L.qty !== 0) {
    book.execute(0, n - 1, close, 0, 'end-of-data');
    equity[n - 1] = L.equity(close[n - 1]);
  }
  if (n > 0) L.check(close[n - 1], 'end');
  return withLazyLog({
    strategy: options.name ?? 'vectorized',
    params: {},
    options: o,
    timeframe: tf,
    time: series.time,
    close: series.close,
    equity,
    inMarket,
    rejected,
    final: L.snapshot(n > 0 ? close[n - 1] : NaN),
  }, log, time);
}

/**
 * Target positions of a moving-average cross, as the built-in `dual-ma-cross` decides them: +1 from
 * an up-cross (fast − slow goes from ≤ 0 to > 0), and on a down-cross −1 when `allowShort`, else 0;
 * unchanged otherwise (and 0 before the first cross). Writes into `into` (at least as long) when given.
 */
export function crossTargets(fast: ArrayLike<number>, slow: ArrayLike<number>, allowShort = false, into?: Int8Array): Int8Array {
  const n = fast.length;
  // `into` lets an optimizer reuse one target array across runs instead of allocating one per run.
  const out = into ? into.subarray(0, n) : new Int8Array(n);
  if (out.length < n) throw new RangeError(`target buffer holds fewer than the ${n} bars`);
  let state = 0;
  let prev = NaN;
  for (let i = 0; i < n; i++) {
    const d = fast[i] - slow[i];
    if (prev === prev && d === d) {
      if (prev <= 0 && d > 0) state = 1;
      else if (prev >= 0 && d < 0) state = allowShort ? -1 : 0;
    }
    prev = d;
    out[i] = state;
  }
  return out;
}
