import type { OhlcvSeries } from '../data/ohlcv.js';
import type { Size } from '../strategy/orders.js';
import type { ColumnarFills } from './fill-columns.js';
import type { Ledger } from './ledger.js';
import type { BacktestResult, FillReason, Rejection } from './types.js';

/** Receives the prefetching loads' sum (see {@link MarketBook.sweep}) so the JIT must perform them. */
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
 * The vectorized path's market-order execution: sizing, slippage, fees, the leverage check and
 * booking, with the same expressions in the same operation order as the event-driven Broker, so the
 * two agree to the last bit. A class with one instance per run (rather than closures per run) so V8's
 * optimized code for it survives from run to run.
 */
export class MarketBook {
  readonly #open: Float64Array;
  readonly #close: Float64Array;
  readonly #high: Float64Array;
  readonly #low: Float64Array;
  readonly #rate: number;
  readonly #fixed: number;
  readonly #bps: number;
  readonly #maxLeverage: number;
  readonly #fixedQty: number;
  readonly #fraction: number;

  /** @param series - the bars. @param L - the run's ledger. @param log - receives fills. @param rejected - receives rejections. */
  constructor(
    series: OhlcvSeries,
    readonly L: Ledger,
    readonly log: ColumnarFills,
    readonly rejected: Rejection[],
    o: BacktestResult['options'],
    size: Size,
  ) {
    this.#open = series.open;
    this.#close = series.close;
    this.#high = series.high;
    this.#low = series.low;
    this.#rate = o.fees.taker;
    this.#fixed = o.fees.fixed;
    this.#bps = o.slippageBps;
    this.#maxLeverage = o.maxLeverage;
    // Sizing inputs hoisted out of the per-fill path.
    this.#fixedQty = 'qty' in size ? size.qty : NaN;
    this.#fraction = 'fraction' in size ? size.fraction : NaN;
  }

  /**
   * Signed quantity to reach `want` (+1 long, −1 short, 0 flat) at `price`: the same expression, in
   * the same operation order, as Broker.quantity, so results agree to the last bit.
   */
  quantity(want: number, price: number): number {
    const L = this.L;
    const q = L.qty;
    if (want === 0) return -q;
    if (Math.sign(q) === want) return 0;
    const rate = this.#rate;
    const fixedQty = this.#fixedQty;
    const equityAt = q === 0 ? L.cash : L.cash + q * price;
    const wantQty = fixedQty === fixedQty ? fixedQty : (this.#fraction * (equityAt - this.#fixed - Math.abs(q) * price * rate)) / (price * (1 + rate));
    return wantQty > 0 ? want * wantQty + -q : -q;
  }

  /**
   * Executes a market order on bar `i` at `prices[i]` (the series' open or close column); mirrors
   * Broker.execute + Broker.book. Arguments are integers and objects, never doubles, so V8 does not
   * box a heap number per call on this path that runs hundreds of thousands of times per backtest;
   * and the column is an argument rather than a branch on a flag, because the close branch, taken only
   * by the end-of-data fill, lacked type feedback and deoptimized the whole run's code every time.
   */
  execute(want: number, i: number, prices: Float64Array, id: number, reason: FillReason): void {
    const L = this.L;
    const raw = prices[i];
    let dq = this.quantity(want, raw);
    if (dq === 0) return;
    const buy = dq > 0;
    let price = raw;
    const bps = this.#bps;
    if (bps !== 0) {
      // slip(): adverse by `bps`, clamped into the bar's range.
      const p = buy ? raw * (1 + bps / 10_000) : raw * (1 - bps / 10_000);
      const hi = this.#high[i];
      const lo = this.#low[i];
      price = p > hi ? hi : p < lo ? lo : p;
      if (price !== raw) dq = this.quantity(want, price);
      if (dq === 0) return;
    }
    const fee = Math.abs(dq) * price * this.#rate + this.#fixed;
    const prev = L.qty;
    const next = prev + dq;
    if (Math.abs(next) > Math.abs(prev) || Math.sign(next) !== Math.sign(prev)) {
      const equityAfter = L.equity(price) - fee;
      const exposure = Math.abs(next) * price;
      if (!(equityAfter > 0) || exposure > this.#maxLeverage * equityAfter * (1 + 1e-9)) {
        this.rejected.push({ orderId: id, index: i, reason: `exposure ${exposure.toFixed(2)} would exceed ${this.#maxLeverage}× equity ${equityAfter.toFixed(2)}` });
        return;
      }
    }
    const realized = L.fill(dq, price, fee);
    this.log.push(i, id, reason, dq, price, fee, prev, L.qty, realized);
    L.check(price, i);
  }

  /**
   * Walks the bars: every change of `target` becomes a market order (at the next open, or at this
   * close when `atOpen` is false), and every bar's equity and in-market flag are written.
   */
  sweep(target: ArrayLike<number>, equity: Float64Array, inMarket: Uint8Array, atOpen: boolean): void {
    const L = this.L;
    const open = this.#open;
    const close = this.#close;
    const n = equity.length;
    let orderId = 0;
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
        this.execute(pending, i, open, pendingId, 'market');
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
            this.execute(t, i, close, id, 'market');
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
  }
}
