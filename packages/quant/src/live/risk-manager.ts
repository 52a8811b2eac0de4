/**
 * The pre-trade risk manager. Every order passes `check` before it is journaled or sent; a refusal
 * names the rule. Breakers move the trading state: ACTIVE (anything within limits), REDUCING (only
 * orders that shrink a position), HALTED (nothing). The kill switch halts and makes the engine cancel
 * every open order.
 */
import type { PositionTracker } from './position-tracker.js';
import type { OrderSpec } from './types.js';

/** Trading states. */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

/** Limits; an omitted one is not checked. Notional and PnL are in quote units. */
export interface RiskLimits {
  /** Largest qty·price of one order. */
  maxOrderNotional?: number;
  /** Largest quantity of one order. */
  maxOrderQty?: number;
  /** Largest |position| per symbol after the order fills (open orders the same way included). */
  maxPosition?: number;
  /** Largest Σ|position|·price over symbols after the order fills. */
  maxGrossExposure?: number;
  /** A limit price (or the reference price of a market order) must be within this fraction of the last trade. */
  priceBand?: number;
  /** At most `count` orders per `perMs` milliseconds (sliding window). */
  orderRate?: { count: number; perMs: number };
  /** Loss since the UTC day began (realized + unrealized − fees) that halts trading. */
  maxDailyLoss?: number;
  /** Fall from the PnL peak, in quote units, that switches to REDUCING. */
  maxDrawdown?: number;
}

/** Why an order was refused. */
export class RiskRejection extends Error {
  /** The rule: `max-order-notional`, `max-order-qty`, `max-position`, `max-gross-exposure`, `price-band`, `order-rate`, `state`, `no-price`. */
  readonly rule: string;
  constructor(rule: string, message: string) {
    super(`risk: ${rule}: ${message}`);
    this.name = 'RiskRejection';
    this.rule = rule;
  }
}

/** Pending (unfilled) signed quantity per symbol, as the engine knows it. */
export type PendingExposure = (symbol: string) => number;

/** The risk manager; `now` is injectable so tests control the clock. */
export class RiskManager {
  #state: TradingState = 'ACTIVE';
  #reason = '';
  readonly #sent: number[] = [];
  #day = -1;
  #dayStartPnl = 0;
  #peak = 0;
  /** Called when the state changes (the engine journals it, and cancels everything on HALTED). */
  onState: (state: TradingState, reason: string) => void = () => {};

  constructor(readonly limits: RiskLimits, private readonly positions: PositionTracker, private readonly now: () => number = Date.now) {}

  /** The trading state. */
  get state(): TradingState {
    return this.#state;
  }

  /** Why the state last changed. */
  get reason(): string {
    return this.#reason;
  }

  /** Moves to `state` (no-op when already there). */
  setState(state: TradingState, reason: string): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#reason = reason;
    this.onState(state, reason);
  }

  /** The kill switch: HALTED; the engine cancels every open order when it hears of it. */
  kill(reason = 'kill switch'): void {
    this.setState('HALTED', reason);
  }

  /**
   * Checks one order; throws {@link RiskRejection} naming the first rule it breaks. `pending` gives the
   * signed quantity of other open orders per symbol, which count toward position limits.
   */
  check(o: OrderSpec, pending: PendingExposure): void {
    const L = this.limits;
    const pos = this.positions.get(o.symbol).qty;
    const dq = o.side === 'buy' ? o.qty : -o.qty;
    const reduces = pos !== 0 && Math.sign(dq) !== Math.sign(pos) && Math.abs(dq) <= Math.abs(pos) + 1e-12;
    if (this.#state === 'HALTED') throw new RiskRejection('state', `trading is HALTED (${this.#reason})`);
    if (this.#state === 'REDUCING' && !reduces) throw new RiskRejection('state', `trading is REDUCING (${this.#reason}); only orders that shrink a position pass`);
    const last = this.positions.lastPrice(o.symbol);
    const ref = o.type === 'limit' && o.price !== undefined ? o.price : last;
    if (!(ref > 0)) throw new RiskRejection('no-price', `no last trade for ${o.symbol} to value the order`);
    if (L.maxOrderQty !== undefined && o.qty > L.maxOrderQty) throw new RiskRejection('max-order-qty', `qty ${o.qty} > ${L.maxOrderQty}`);
    const notional = o.qty * ref;
    if (L.maxOrderNotional !== undefined && notional > L.maxOrderNotional) throw new RiskRejection('max-order-notional', `notional ${notional.toFixed(2)} > ${L.maxOrderNotional}`);
    if (L.priceBand !== undefined && o.type === 'limit' && o.price !== undefined) {
      if (!(last > 0)) throw new RiskRejection('price-band', `no last trade for ${o.symbol} to check the band against`);
      const dev = Math.abs(o.price - last) / last;
      if (dev > L.priceBand) throw new RiskRejection('price-band', `limit ${o.price} is ${(dev * 100).toFixed(2)}% from the last trade ${last} (band ${(L.priceBand * 100).toFixed(2)}%)`);
    }
    const after = pos + pending(o.symbol) + dq;
    if (L.maxPosition !== undefined && !reduces && Math.abs(after) > L.maxPosition + 1e-12) throw new RiskRejection('max-position', `position would reach ${after} (limit ${L.maxPosition})`);
    if (L.maxGrossExposure !== undefined && !reduces) {
      const gross = this.positions.grossExposure() - Math.abs(pos) * (last > 0 ? last : ref) + Math.abs(after) * ref;
      if (gross > L.maxGrossExposure) throw new RiskRejection('max-gross-exposure', `gross exposure would reach ${gross.toFixed(2)} (limit ${L.maxGrossExposure})`);
    }
    if (L.orderRate) {
      const t = this.now();
      while (this.#sent.length > 0 && this.#sent[0] <= t - L.orderRate.perMs) this.#sent.shift();
      if (this.#sent.length >= L.orderRate.count) throw new RiskRejection('order-rate', `${L.orderRate.count} orders in ${L.orderRate.perMs} ms already`);
      this.#sent.push(t);
    }
  }

  /**
   * Re-evaluates the PnL breakers; call after fills and on marks. Daily loss halts; drawdown from the
   * session's PnL peak moves to REDUCING. The day rolls over at 00:00 UTC.
   */
  evaluate(): void {
    const pnl = this.positions.totalPnl();
    const day = Math.floor(this.now() / 86_400_000);
    if (day !== this.#day) {
      this.#day = day;
      this.#dayStartPnl = pnl;
    }
    if (pnl > this.#peak) this.#peak = pnl;
    const L = this.limits;
    if (L.maxDailyLoss !== undefined && this.#dayStartPnl - pnl > L.maxDailyLoss) {
      this.setState('HALTED', `daily loss ${(this.#dayStartPnl - pnl).toFixed(2)} > ${L.maxDailyLoss}`);
    } else if (L.maxDrawdown !== undefined && this.#state === 'ACTIVE' && this.#peak - pnl > L.maxDrawdown) {
      this.setState('REDUCING', `drawdown ${(this.#peak - pnl).toFixed(2)} > ${L.maxDrawdown}`);
    }
  }
}
