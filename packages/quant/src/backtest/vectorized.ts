import type { OhlcvSeries } from '../data/ohlcv.js';
import { inferTimeframe, parseTimeframe, type Timeframe } from '../data/timeframe.js';
import type { Size } from '../strategy/orders.js';
import { resolveOptions } from './engine.js';
import { Ledger } from './ledger.js';
import { ColumnarFills, withLazyLog } from './fill-columns.js';
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
   * next run overwrites the previous result's curves.
   */
  buffers?: {
    /** Receives the equity curve. */
    equity: Float64Array;
    /** Receives the in-market flags. */
    inMarket: Uint8Array;
    /**
     * A fill log to reuse (emptied at the start of the run): saves allocating, regrowing and collecting
     * a fresh log per run — on a 10 M-bar run with ~400 k fills that was a fifth of the run time. The
     * result's lazy `fills` and `trades` read it, so read them before the next run.
     */
    fills?: ColumnarFills;
  };
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
  // Capacity guess of one fill per 64 bars avoids most regrowth copies on long series.
  const log = options.buffers?.fills ?? new ColumnarFills(Math.max(1024, n >> 6));
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

  // Sizing inputs hoisted out of the per-fill path.
  const fixedQty = 'qty' in size ? size.qty : NaN;
  const fraction = 'fraction' in size ? size.fraction : NaN;

  /**
   * Signed quantity to reach `want` (+1 long, −1 short, 0 flat) at `price`: the same expression, in
   * the same operation order, as Broker.quantity, so results agree to the last bit.
   */
  function quantity(want: number, price: number): number {
    const q = L.qty;
    if (want === 0) return -q;
    if (Math.sign(q) === want) return 0;
    const equityAt = q === 0 ? L.cash : L.cash + q * price;
    const wantQty = fixedQty === fixedQty ? fixedQty : (fraction * (equityAt - fixed - Math.abs(q) * price * rate)) / (price * (1 + rate));
    return wantQty > 0 ? want * wantQty + -q : -q;
  }

  /**
   * Executes a market order on bar `i` at its open or close; mirrors Broker.execute + Broker.book.
   * Arguments are integers and flags, never doubles, so V8 does not box a heap number per call on
   * this path that runs hundreds of thousands of times per backtest.
   */
  function execute(want: number, i: number, fromOpen: boolean, id: number, reason: FillReason): void {
    const raw = fromOpen ? open[i] : close[i];
    let dq = quantity(want, raw);
    if (dq === 0) return;
    const buy = dq > 0;
    let price = raw;
    if (bps !== 0) {
      // slip(): adverse by `bps`, clamped into the bar's range.
      const p = buy ? raw * (1 + bps / 10_000) : raw * (1 - bps / 10_000);
      price = p > high[i] ? high[i] : p < low[i] ? low[i] : p;
      if (price !== raw) dq = quantity(want, price);
      if (dq === 0) return;
    }
    const fee = Math.abs(dq) * price * rate + fixed;
    const prev = L.qty;
    const next = prev + dq;
    if (Math.abs(next) > Math.abs(prev) || Math.sign(next) !== Math.sign(prev)) {
      const equityAfter = L.equity(price) - fee;
      const exposure = Math.abs(next) * price;
      if (!(equityAfter > 0) || exposure > o.maxLeverage * equityAfter * (1 + 1e-9)) {
        rejected.push({ orderId: id, index: i, reason: `exposure ${exposure.toFixed(2)} would exceed ${o.maxLeverage}× equity ${equityAfter.toFixed(2)}` });
        return;
      }
    }
    const realized = L.fill(dq, price, fee);
    log.push(i, id, reason, dq, price, fee, prev, L.qty, realized);
    L.check(price, i);
  }

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
      execute(pending, i, true, pendingId, 'market');
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
          execute(t, i, false, id, 'market');
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
    execute(0, n - 1, false, 0, 'end-of-data');
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
