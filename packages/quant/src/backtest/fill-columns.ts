import { TradeLog } from './trade-log.js';
import type { Fill, FillReason, Trade } from './types.js';

const REASONS: FillReason[] = ['market', 'limit', 'stop', 'stop-limit', 'stop-loss', 'take-profit', 'trailing-stop', 'end-of-data'];

/**
 * A fill log kept in typed-array columns. The vectorized path records hundreds of thousands of fills
 * per run; building a `Fill` and a `Trade` object for each inside the loop costs more than the
 * accounting itself, so the objects are built on first access instead ({@link ColumnarFills.fills},
 * {@link ColumnarFills.trades}), from exactly the numbers the ledger booked.
 */
export class ColumnarFills {
  private n = 0;
  private cols: { index: Int32Array; order: Int32Array; reason: Uint8Array; num: Float64Array };

  /** @param capacity - initial number of fills; grows by doubling. */
  constructor(capacity = 1024) {
    this.cols = { index: new Int32Array(capacity), order: new Int32Array(capacity), reason: new Uint8Array(capacity), num: new Float64Array(capacity * 6) };
  }

  /** Number of fills recorded. */
  get length(): number {
    return this.n;
  }

  /** Records one fill: signed quantity `dq`, the position before and after, and the realized PnL. */
  push(index: number, orderId: number, reason: FillReason, dq: number, price: number, fee: number, prevQty: number, nextQty: number, realized: number): void {
    if (this.n === this.cols.index.length) this.grow();
    const k = this.n++;
    const c = this.cols;
    c.index[k] = index;
    c.order[k] = orderId;
    c.reason[k] = REASONS.indexOf(reason);
    const b = k * 6;
    c.num[b] = dq;
    c.num[b + 1] = price;
    c.num[b + 2] = fee;
    c.num[b + 3] = prevQty;
    c.num[b + 4] = nextQty;
    c.num[b + 5] = realized;
  }

  /** The fills as objects (all taker market fills in the vectorized path). */
  fills(time: ArrayLike<number>): Fill[] {
    const out: Fill[] = new Array(this.n);
    const c = this.cols;
    for (let k = 0; k < this.n; k++) {
      const b = k * 6;
      const dq = c.num[b];
      out[k] = {
        orderId: c.order[k], index: c.index[k], time: time[c.index[k]], side: dq > 0 ? 'buy' : 'sell', qty: Math.abs(dq),
        price: c.num[b + 1], fee: c.num[b + 2], liquidity: 'taker', reason: REASONS[c.reason[k]], tag: undefined,
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
    const cap = c.index.length * 2;
    const next = { index: new Int32Array(cap), order: new Int32Array(cap), reason: new Uint8Array(cap), num: new Float64Array(cap * 6) };
    next.index.set(c.index);
    next.order.set(c.order);
    next.reason.set(c.reason);
    next.num.set(c.num);
    this.cols = next;
  }
}
