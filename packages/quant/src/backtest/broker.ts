import type { OhlcvSeries } from '../data/ohlcv.js';
import type { ExitSpec, OrderType, PositionInfo, Side, Size } from '../strategy/orders.js';
import { checkExits, makeExits, type ActiveExits } from './exits.js';
import { limitFillPrice, slip, stopFillPrice, stopLimitFill } from './fill-model.js';
import { Ledger } from './ledger.js';
import { ColumnarFills } from './fill-columns.js';
import type { BacktestResult, FillReason, Rejection } from './types.js';

/** An order waiting in the simulated book. */
export interface PendingOrder {
  id: number;
  side: Side;
  type: OrderType;
  target: 'long' | 'short' | 'flat' | undefined;
  size: Size | undefined;
  limitPrice: number;
  stopPrice: number;
  exits: ExitSpec | undefined;
  tag: string | undefined;
  /** Bar on which it was submitted; it can first fill on the next bar (or this close, in close mode). */
  placedAt: number;
  /** Stop-limit whose stop has traded. */
  triggered: boolean;
}

type Resolved = BacktestResult['options'];

/**
 * The simulated venue: the order book, the fill rules, sizing, fees, slippage, the ledger, protective
 * exits and the fill and trade logs. The engine drives it bar by bar.
 */
export class Broker {
  /** The account. */
  readonly ledger: Ledger;
  /** Every execution, in order, in columns (objects are built when the result is read). */
  readonly log: ColumnarFills;
  /** Orders refused by the leverage check. */
  readonly rejected: Rejection[] = [];
  /** Open orders in submission order. */
  orders: PendingOrder[] = [];
  /** Protective exits of the open position, if any. */
  exits: ActiveExits | null = null;
  /** Position as strategies see it; replaced (not mutated) on every fill so a held reference stays a consistent snapshot. */
  position: PositionInfo = { qty: 0, avgPrice: NaN };
  private nextId = 1;

  /**
   * @param s - the bars being traded.
   * @param o - resolved backtest options (fees, slippage, sizing, leverage).
   */
  constructor(private readonly s: OhlcvSeries, private readonly o: Resolved) {
    this.ledger = new Ledger(o.initialCash, o.shortMarginRate);
    this.log = new ColumnarFills(Math.max(1024, s.length >> 6));
  }

  /** Adds an order to the book after checking that its prices fit its type. */
  submit(req: Omit<PendingOrder, 'id' | 'triggered'>): number {
    const needsLimit = req.type === 'limit' || req.type === 'stop-limit';
    const needsStop = req.type === 'stop' || req.type === 'stop-limit';
    if (needsLimit && !(req.limitPrice > 0)) throw new TypeError(`${req.type} order needs a positive limitPrice, got ${req.limitPrice}`);
    if (needsStop && !(req.stopPrice > 0)) throw new TypeError(`${req.type} order needs a positive stopPrice, got ${req.stopPrice}`);
    if (req.size && 'qty' in req.size && !(req.size.qty > 0)) throw new TypeError(`order qty must be positive, got ${req.size.qty}`);
    if (req.size && 'fraction' in req.size && !(req.size.fraction > 0)) throw new TypeError(`order fraction must be positive, got ${req.size.fraction}`);
    const id = this.nextId++;
    // Explicit literal (not a spread) so every order has one hidden class and the fill path stays monomorphic.
    this.orders.push({
      id, side: req.side, type: req.type, target: req.target, size: req.size, limitPrice: req.limitPrice,
      stopPrice: req.stopPrice, exits: req.exits, tag: req.tag, placedAt: req.placedAt, triggered: false,
    });
    return id;
  }

  /** Removes an order; returns whether it was open. */
  cancel(id: number): boolean {
    const k = this.orders.findIndex((x) => x.id === id);
    if (k < 0) return false;
    this.orders.splice(k, 1);
    return true;
  }

  /** Fills market orders submitted before bar `i` (next-open mode, `atOpen`) or on bar `i` (close mode). */
  fillMarket(i: number, price: number, atOpen: boolean): void {
    const keep: PendingOrder[] = [];
    const due = this.orders;
    this.orders = keep;
    for (const ord of due) {
      const ready = ord.type === 'market' && (atOpen ? ord.placedAt < i : ord.placedAt === i);
      if (!ready) keep.push(ord);
      else this.execute(ord, i, price, 'taker', ord.type as FillReason, atOpen);
    }
  }

  /** Evaluates the open position's stop-loss, take-profit and trailing stop on bar `i`. */
  processExits(i: number): void {
    const x = this.exits;
    const q = this.ledger.qty;
    if (!x || q === 0 || i < x.activeFrom) return;
    const hit = checkExits(x, q > 0 ? 1 : -1, this.s.open[i], this.s.high[i], this.s.low[i]);
    if (!hit) return;
    // A take-profit is a resting limit (maker, no slippage); stops become market orders (taker, slipped).
    const side = q > 0 ? 'sell' : 'buy';
    const maker = hit.reason === 'take-profit';
    const price = maker ? hit.price : slip(side, hit.price, this.o.slippageBps, this.s.low[i], this.s.high[i]);
    this.book(null, i, -q, price, maker ? 'maker' : 'taker', hit.reason, false);
  }

  /** Evaluates resting limit, stop and stop-limit orders submitted before bar `i`, in submission order. */
  processResting(i: number): void {
    const open = this.s.open[i];
    const high = this.s.high[i];
    const low = this.s.low[i];
    const due = this.orders;
    this.orders = [];
    for (const ord of due) {
      if (ord.type === 'market' || ord.placedAt >= i) {
        this.orders.push(ord);
        continue;
      }
      let price = NaN;
      let reason: FillReason = ord.type as FillReason;
      let liquidity: 'maker' | 'taker' = 'taker';
      if (ord.type === 'limit' || (ord.type === 'stop-limit' && ord.triggered)) {
        price = limitFillPrice(ord.side, ord.limitPrice, open, high, low);
        liquidity = ord.type === 'limit' ? 'maker' : 'taker';
      } else if (ord.type === 'stop') {
        price = stopFillPrice(ord.side, ord.stopPrice, open, high, low);
      } else {
        const r = stopLimitFill(ord.side, ord.stopPrice, ord.limitPrice, open, high, low);
        ord.triggered = r.triggered;
        price = r.price;
        reason = 'stop-limit';
      }
      if (Number.isNaN(price)) this.orders.push(ord);
      else this.execute(ord, i, price, liquidity, reason, price === open);
    }
  }

  /** Flattens the position at `price` on bar `i` (end of data). */
  flatten(i: number, price: number, reason: FillReason): void {
    const q = this.ledger.qty;
    if (q === 0) return;
    const side = q > 0 ? 'sell' : 'buy';
    this.book(null, i, -q, slip(side, price, this.o.slippageBps, this.s.low[i], this.s.high[i]), 'taker', reason, false);
  }

  /** Sizes an order at its fill price and books it, or rejects it. */
  private execute(ord: PendingOrder, i: number, rawPrice: number, liquidity: 'maker' | 'taker', reason: FillReason, atOpen: boolean): void {
    // Target orders resolve their direction at fill time (a "flat" order placed while long buys if
    // the position has meanwhile turned short), so the side comes from the quantity, not the request.
    let dq = this.quantity(ord, rawPrice, liquidity);
    if (dq === 0) return;
    const side: Side = dq > 0 ? 'buy' : 'sell';
    const price = liquidity === 'taker' ? slip(side, rawPrice, this.o.slippageBps, this.s.low[i], this.s.high[i]) : rawPrice;
    if (price !== rawPrice) dq = this.quantity(ord, price, liquidity);
    if (dq === 0) return;
    this.book(ord, i, dq, price, liquidity, reason, atOpen);
  }

  /** Signed quantity for `ord` at `price`; 0 means "nothing to do" (e.g. already at the target). */
  private quantity(ord: PendingOrder, price: number, liquidity: 'maker' | 'taker'): number {
    const q = this.ledger.qty;
    if (ord.target === 'flat') return -q;
    const rate = liquidity === 'maker' ? this.o.fees.maker : this.o.fees.taker;
    const fixed = this.o.fees.fixed;
    const size = ord.size ?? this.o.defaultSize;
    const dir = ord.side === 'buy' ? 1 : -1;
    if (ord.target !== undefined) {
      if (Math.sign(q) === dir) return 0;
      // Size the new position net of the fees of the whole order, closing leg included, so that a
      // fraction of 1 leaves exposure equal to post-fee equity (no accidental leverage).
      const closing = Math.abs(q);
      const want = 'qty' in size
        ? size.qty
        : (size.fraction * (this.ledger.equity(price) - fixed - closing * price * rate)) / (price * (1 + rate));
      return want > 0 ? dir * want + -q : -q;
    }
    const want = 'qty' in size ? size.qty : (size.fraction * (this.ledger.equity(price) - fixed)) / (price * (1 + rate));
    return want > 0 ? dir * want : 0;
  }

  /** Books one fill of signed quantity `dq`: leverage check, ledger, fill log, exits and the position view. */
  private book(ord: PendingOrder | null, i: number, dq: number, price: number, liquidity: 'maker' | 'taker', reason: FillReason, atOpen: boolean): void {
    const rate = liquidity === 'maker' ? this.o.fees.maker : this.o.fees.taker;
    const fee = Math.abs(dq) * price * rate + this.o.fees.fixed;
    const L = this.ledger;
    const prev = L.qty;
    const next = prev + dq;
    if (Math.abs(next) > Math.abs(prev) || Math.sign(next) !== Math.sign(prev)) {
      const equityAfter = L.equity(price) - fee;
      const exposure = Math.abs(next) * price;
      if (!(equityAfter > 0) || exposure > this.o.maxLeverage * equityAfter * (1 + 1e-9)) {
        this.rejected.push({
          orderId: ord ? ord.id : 0, index: i,
          reason: `exposure ${exposure.toFixed(2)} would exceed ${this.o.maxLeverage}× equity ${equityAfter.toFixed(2)}`,
        });
        return;
      }
    }
    const realized = L.fill(dq, price, fee);
    this.log.push(i, ord ? ord.id : 0, reason, dq, price, fee, prev, L.qty, realized, liquidity === 'maker', ord?.tag);
    const now = L.qty;
    if (now === 0) this.exits = null;
    else if (prev === 0 || Math.sign(prev) !== Math.sign(now)) {
      // Exits of a position opened at the bar's open watch the rest of that bar; otherwise the fill's
      // place inside the bar is unknown and they start on the next bar.
      this.exits = ord?.exits ? makeExits(ord.exits, price, now > 0 ? 1 : -1, atOpen ? i : i + 1) : null;
    }
    this.position = { qty: now, avgPrice: L.avgPrice };
  }
}
