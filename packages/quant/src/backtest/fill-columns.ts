import { TradeLog } from './trade-log.js';
import type { BacktestResult, Fill, FillReason, Trade } from './types.js';

const REASONS: FillReason[] = ['market', 'limit', 'stop', 'stop-limit', 'stop-loss', 'take-profit', 'trailing-stop', 'end-of-data'];
// Code of each reason: a property load instead of an array search on every fill.
const REASON_CODE = Object.fromEntries(REASONS.map((r, k) => [r, k])) as Record<FillReason, number>;

/**
 * A fill log kept in typed-array columns. A backtest over millions of bars records hundreds of
 * thousands of fills; building a `Fill` and a `Trade` object for each inside the loop costs more than
 * the accounting itself (allocation and GC), so the objects are built on first access instead
 * ({@link ColumnarFills.fills}, {@link ColumnarFills.trades}), from exactly the numbers the ledger booked.
 */
export class ColumnarFills {
  private n = 0;
  private cols: { index: Int32Array; order: Int32Array; reason: Uint8Array; maker: Uint8Array; num: Float64Array };
  /** Order tags are rare, so they live in a map keyed by fill number rather than a column. */
  private readonly tags = new Map<number, string>();
  #generation = 0;

  /** @param capacity - initial number of fills; grows by doubling. */
  constructor(capacity = 1024) {
    this.cols = ColumnarFills.alloc(capacity);
  }

  private static alloc(cap: number) {
    return { index: new Int32Array(cap), order: new Int32Array(cap), reason: new Uint8Array(cap), maker: new Uint8Array(cap), num: new Float64Array(cap * 6) };
  }

  /**
   * Empties the log, keeping its capacity, so one log can serve run after run (the vectorized path's
   * `buffers.fills`): no allocation, no regrowth copies, no garbage per run.
   */
  reset(): void {
    this.n = 0;
    this.tags.clear();
    this.#generation++;
  }

  /** How many times the log was reset: a result built on an earlier generation can no longer read it. */
  get generation(): number {
    return this.#generation;
  }

  /** Number of fills recorded. */
  get length(): number {
    return this.n;
  }

  /** Records one fill: signed quantity `dq`, the position before and after, and the realized PnL. */
  push(
    index: number, orderId: number, reason: FillReason, dq: number, price: number, fee: number, prevQty: number, nextQty: number,
    realized: number, maker = false, tag: string | undefined = undefined,
  ): void {
    if (this.n === this.cols.index.length) this.grow();
    const k = this.n++;
    const c = this.cols;
    c.index[k] = index;
    c.order[k] = orderId;
    c.reason[k] = REASON_CODE[reason];
    c.maker[k] = maker ? 1 : 0;
    if (tag !== undefined) this.tags.set(k, tag);
    const b = k * 6;
    c.num[b] = dq;
    c.num[b + 1] = price;
    c.num[b + 2] = fee;
    c.num[b + 3] = prevQty;
    c.num[b + 4] = nextQty;
    c.num[b + 5] = realized;
  }

  /** The fills as objects, in booking order. */
  fills(time: ArrayLike<number>): Fill[] {
    const out: Fill[] = new Array(this.n);
    const c = this.cols;
    for (let k = 0; k < this.n; k++) {
      const b = k * 6;
      const dq = c.num[b];
      out[k] = {
        orderId: c.order[k], index: c.index[k], time: time[c.index[k]], side: dq > 0 ? 'buy' : 'sell', qty: Math.abs(dq),
        price: c.num[b + 1], fee: c.num[b + 2], liquidity: c.maker[k] ? 'maker' : 'taker', reason: REASONS[c.reason[k]], tag: this.tags.get(k),
      };
    }
    return out;
  }

  /** The round trips, replayed through the same {@link TradeLog} the event-driven engine uses. */
  trades(time: ArrayLike<number>): Trade[] {
    const log = new TradeLog();
    const c = this.cols;
    for (let k = 0; k < this.n; k++) {
      const b = k * 6;
      const i = c.index[k];
      log.onFill(i, time[i], c.num[b + 3], c.num[b + 4], c.num[b + 1], c.num[b + 2], c.num[b + 5], REASONS[c.reason[k]]);
    }
    return log.trades;
  }

  private grow(): void {
    const c = this.cols;
    const next = ColumnarFills.alloc(c.index.length * 2);
    next.index.set(c.index);
    next.order.set(c.order);
    next.reason.set(c.reason);
    next.maker.set(c.maker);
    next.num.set(c.num);
    this.cols = next;
  }
}

/**
 * Completes a result with `fills` and `trades` properties that materialize from the columnar log on
 * first access and are cached; both backtesters return results built this way.
 */
export function withLazyLog(base: Omit<BacktestResult, 'fills' | 'trades'>, log: ColumnarFills, time: ArrayLike<number>): BacktestResult {
  let fills: Fill[] | undefined;
  let trades: Trade[] | undefined;
  const generation = log.generation;
  // A reused log (runVectorized's buffers) may since hold a later run's fills: refuse rather than
  // return another run's data.
  const live = () => {
    if (log.generation !== generation) throw new Error('the fill log of this result was reused by a later run with the same buffers; read fills and trades before running again');
    return log;
  };
  Object.defineProperty(base, 'fills', { enumerable: true, get: () => (fills ??= live().fills(time)) });
  Object.defineProperty(base, 'trades', { enumerable: true, get: () => (trades ??= live().trades(time)) });
  return base as BacktestResult;
}
