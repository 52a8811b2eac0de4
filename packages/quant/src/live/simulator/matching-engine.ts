/**
 * The simulator's matching engine: spot balances, a synthetic book around the last trade (so a big
 * market order walks levels and fills in parts), resting limit orders matched by replayed trades
 * (a trade smaller than the order fills it partially), cancels and Binance's refusals (unknown symbol,
 * lot size, insufficient balance, duplicate client order id). It emits Binance order objects and
 * executionReports; the server puts them on the wire.
 */

/** A Binance-shaped refusal: HTTP 400 with `{ code, msg }`. */
export class SimReject extends Error {
  constructor(readonly code: number, msg: string) {
    super(msg);
  }
}

/** One simulated order, in Binance's REST field names. */
export interface SimOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
  timeInForce: string;
  type: 'MARKET' | 'LIMIT';
  side: 'BUY' | 'SELL';
  transactTime: number;
}

/** Matching-engine settings. */
export interface MatchingOptions {
  /** Tradable symbols with their base and quote assets. */
  symbols: Record<string, { base: string; quote: string }>;
  /** Starting balances by asset. */
  balances: Record<string, number>;
  /** Quantity available at each synthetic level; default 1. */
  levelQty?: number;
  /** Price step between synthetic levels as a fraction of the last price; default 0.0001. */
  levelStep?: number;
  /** Smallest order quantity (LOT_SIZE minQty); default 0.00001. */
  minQty?: number;
  /** Taker fee rate charged in the quote asset; default 0. */
  feeRate?: number;
}

const fmt = (x: number) => (Math.round(x * 1e8) / 1e8).toString();

/** Orders, balances and matching for the exchange simulator. */
export class MatchingEngine {
  readonly orders = new Map<string, SimOrder>();
  readonly balances = new Map<string, number>();
  readonly last = new Map<string, number>();
  #nextId = 1;
  /** Receives each executionReport (the server sends it to user-data streams). */
  onReport: (report: Record<string, unknown>) => void = () => {};

  constructor(readonly o: MatchingOptions) {
    for (const [a, q] of Object.entries(o.balances)) this.balances.set(a, q);
  }

  #bal(a: string): number {
    return this.balances.get(a) ?? 0;
  }

  /** Places an order (the `POST /api/v3/order` semantics). */
  place(p: { symbol: string; side: string; type: string; quantity: number; price?: number; newClientOrderId?: string }): SimOrder {
    const sym = this.o.symbols[p.symbol];
    if (!sym) throw new SimReject(-1121, 'Invalid symbol.');
    if (p.side !== 'BUY' && p.side !== 'SELL') throw new SimReject(-1100, 'Illegal characters found in parameter \'side\'.');
    if (p.type !== 'MARKET' && p.type !== 'LIMIT') throw new SimReject(-1116, 'Invalid orderType.');
    if (!(p.quantity >= (this.o.minQty ?? 0.00001))) throw new SimReject(-1013, 'Filter failure: LOT_SIZE');
    if (p.type === 'LIMIT' && !(p.price! > 0)) throw new SimReject(-1013, 'Filter failure: PRICE_FILTER');
    const cid = p.newClientOrderId ?? `sim-${this.#nextId}`;
    const prev = this.orders.get(cid);
    if (prev && (prev.status === 'NEW' || prev.status === 'PARTIALLY_FILLED')) throw new SimReject(-2010, 'Duplicate order sent.');
    const last = this.last.get(p.symbol);
    if (last === undefined) throw new SimReject(-2010, 'No market price yet for this symbol.');
    const ref = p.type === 'LIMIT' ? p.price! : last * 1.05;
    if (p.side === 'BUY' && this.#bal(sym.quote) < p.quantity * ref) throw new SimReject(-2010, 'Account has insufficient balance for requested action.');
    if (p.side === 'SELL' && this.#bal(sym.base) < p.quantity - 1e-12) throw new SimReject(-2010, 'Account has insufficient balance for requested action.');
    const o: SimOrder = {
      symbol: p.symbol, orderId: this.#nextId++, clientOrderId: cid, price: fmt(p.price ?? 0), origQty: fmt(p.quantity),
      executedQty: '0', cummulativeQuoteQty: '0', status: 'NEW', timeInForce: p.type === 'LIMIT' ? 'GTC' : '', type: p.type, side: p.side,
      transactTime: Date.now(),
    };
    this.orders.set(cid, o);
    this.#report(o, 'NEW', 0, 0);
    this.#takeLiquidity(o, last);
    return { ...o };
  }

  // Walks the synthetic book: level k holds `levelQty` at last·(1 ± k·step). A limit stops at its price.
  #takeLiquidity(o: SimOrder, last: number): void {
    const buy = o.side === 'BUY';
    const step = this.o.levelStep ?? 0.0001;
    const per = this.o.levelQty ?? 1;
    const limit = o.type === 'LIMIT' ? Number(o.price) : NaN;
    for (let k = 0; this.#remaining(o) > 1e-12; k++) {
      const px = last * (buy ? 1 + k * step : 1 - k * step);
      if (o.type === 'LIMIT' && (buy ? px > limit : px < limit)) return;
      if (k > 1000) return;
      this.#fill(o, Math.min(per, this.#remaining(o)), px);
    }
  }

  #remaining(o: SimOrder): number {
    return Number(o.origQty) - Number(o.executedQty);
  }

  #fill(o: SimOrder, qty: number, px: number): void {
    const sym = this.o.symbols[o.symbol];
    const quote = qty * px;
    const fee = quote * (this.o.feeRate ?? 0);
    const buy = o.side === 'BUY';
    this.balances.set(sym.base, this.#bal(sym.base) + (buy ? qty : -qty));
    this.balances.set(sym.quote, this.#bal(sym.quote) + (buy ? -quote : quote) - fee);
    o.executedQty = fmt(Number(o.executedQty) + qty);
    o.cummulativeQuoteQty = fmt(Number(o.cummulativeQuoteQty) + quote);
    o.status = this.#remaining(o) > 1e-12 ? 'PARTIALLY_FILLED' : 'FILLED';
    this.#report(o, 'TRADE', qty, px, fee);
  }

  /** A trade printed by the market (replay): moves the last price and fills resting limits it crosses, up to its size. */
  trade(symbol: string, price: number, qty: number): void {
    this.last.set(symbol, price);
    let left = qty;
    for (const o of this.orders.values()) {
      if (left <= 1e-12) break;
      if (o.symbol !== symbol || o.type !== 'LIMIT' || (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED')) continue;
      const lim = Number(o.price);
      if (o.side === 'BUY' ? price > lim : price < lim) continue;
      const q = Math.min(left, this.#remaining(o));
      left -= q;
      this.#fill(o, q, lim);
    }
  }

  /** Cancels by client order id (`DELETE /api/v3/order`). */
  cancel(symbol: string, clientOrderId: string): SimOrder & { origClientOrderId: string } {
    const o = this.orders.get(clientOrderId);
    if (!o || o.symbol !== symbol) throw new SimReject(-2011, 'Unknown order sent.');
    if (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED') throw new SimReject(-2011, 'Unknown order sent.');
    o.status = 'CANCELED';
    this.#report(o, 'CANCELED', 0, 0);
    return { ...o, origClientOrderId: clientOrderId, clientOrderId: `cancel-${o.orderId}` };
  }

  /** One order (`GET /api/v3/order`), or a -2013 refusal. */
  get(symbol: string, clientOrderId: string): SimOrder {
    const o = this.orders.get(clientOrderId);
    if (!o || o.symbol !== symbol) throw new SimReject(-2013, 'Order does not exist.');
    return { ...o };
  }

  /** Open orders of a symbol. */
  open(symbol: string): SimOrder[] {
    return [...this.orders.values()].filter((o) => o.symbol === symbol && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED')).map((o) => ({ ...o }));
  }

  #report(o: SimOrder, x: string, lastQty: number, lastPx: number, fee = 0): void {
    this.onReport({
      e: 'executionReport', E: Date.now(), s: o.symbol, c: o.clientOrderId, S: o.side, o: o.type, f: o.timeInForce || 'GTC',
      q: o.origQty, p: o.price, x, X: o.status, r: 'NONE', i: o.orderId, l: fmt(lastQty), z: o.executedQty, L: fmt(lastPx),
      n: fmt(fee), N: this.o.symbols[o.symbol].quote, T: Date.now(), Z: o.cummulativeQuoteQty, C: x === 'CANCELED' ? o.clientOrderId : '',
    });
  }
}
