/**
 * The paper venue: the backtest's fill model applied to live market data. It takes market data from
 * any adapter (Binance public streams, the simulator) and fills orders itself:
 * - market orders at the next trade after they were placed — the live analogue of "next bar's open" —
 *   slipped by `slippageBps` and charged the taker fee;
 * - limit orders by `limitFillPrice` on each later trade as a one-price bar (at the limit, or at the
 *   trade when it gaps through), charged the maker fee.
 * Liquidity is unlimited, as in the backtest. Paper orders live in memory: after a restart the journal
 * keeps fills and positions, and orders that were resting are reported cancelled.
 */
import { limitFillPrice, slip } from '../../backtest/fill-model.js';
import type { MarketEvent, OrderSpec, OrderUpdate, VenueAdapter, VenueHandlers } from '../types.js';

/** Paper fill settings. */
export interface PaperOptions {
  /** Taker and maker fee rates; default 0. */
  fees?: { taker?: number; maker?: number };
  /** Adverse slippage on market fills, basis points; default 0. */
  slippageBps?: number;
}

interface PaperOrder {
  spec: OrderSpec;
  status: OrderUpdate['status'];
  cumQty: number;
  cumQuote: number;
}

/** A venue that fills against live prices without sending anything to an exchange. */
export class PaperVenue implements VenueAdapter {
  readonly name = 'paper';
  readonly #orders = new Map<string, PaperOrder>();
  readonly #pending: PaperOrder[] = [];
  #h: VenueHandlers | null = null;

  constructor(private readonly source: VenueAdapter, private readonly o: PaperOptions = {}) {}

  async start(h: VenueHandlers): Promise<void> {
    this.#h = h;
    await this.source.start({
      // Orders are matched before the strategy sees the trade, as a venue would match first and publish after.
      market: (e) => {
        this.#match(e);
        h.market(e);
      },
      order: () => {},
      connected: (s, first) => h.connected(s, first),
      problem: (e) => h.problem(e),
    });
  }

  #match(e: MarketEvent): void {
    if (this.#pending.length === 0) return;
    const px = e.kind === 'trade' ? e.price : e.kind === 'kline' ? e.close : NaN;
    if (!Number.isFinite(px)) return;
    for (let k = 0; k < this.#pending.length; k++) {
      const p = this.#pending[k];
      if (p.spec.symbol !== e.symbol) continue;
      let price: number;
      let rate: number;
      if (p.spec.type === 'market') {
        price = slip(p.spec.side, px, this.o.slippageBps ?? 0, 0, Infinity);
        rate = this.o.fees?.taker ?? 0;
      } else {
        price = limitFillPrice(p.spec.side, p.spec.price!, px, px, px);
        rate = this.o.fees?.maker ?? 0;
      }
      if (Number.isNaN(price)) continue;
      this.#pending.splice(k--, 1);
      p.status = 'filled';
      p.cumQty = p.spec.qty;
      p.cumQuote = p.spec.qty * price;
      this.#h?.order({ ...this.#update(p, 'stream'), fee: p.cumQuote * rate });
    }
  }

  #update(p: PaperOrder, source: OrderUpdate['source']): OrderUpdate {
    return { clientOrderId: p.spec.clientOrderId, symbol: p.spec.symbol, status: p.status, cumQty: p.cumQty, cumQuote: p.cumQuote, source };
  }

  async placeOrder(spec: OrderSpec): Promise<OrderUpdate> {
    if (this.#orders.has(spec.clientOrderId)) {
      const e = new Error(`duplicate client order id ${spec.clientOrderId}`);
      (e as { venueReject?: boolean }).venueReject = true;
      throw e;
    }
    const p: PaperOrder = { spec, status: 'new', cumQty: 0, cumQuote: 0 };
    this.#orders.set(spec.clientOrderId, p);
    this.#pending.push(p);
    return this.#update(p, 'rest');
  }

  async cancelOrder(_symbol: string, clientOrderId: string): Promise<OrderUpdate> {
    const p = this.#orders.get(clientOrderId);
    if (!p || p.status !== 'new') throw Object.assign(new Error(`unknown or closed order ${clientOrderId}`), { venueReject: true });
    p.status = 'cancelled';
    this.#pending.splice(this.#pending.indexOf(p), 1);
    return this.#update(p, 'rest');
  }

  async openOrders(symbol: string): Promise<OrderUpdate[]> {
    return this.#pending.filter((p) => p.spec.symbol === symbol).map((p) => this.#update(p, 'reconcile'));
  }

  async orderStatus(symbol: string, clientOrderId: string): Promise<OrderUpdate | null> {
    const p = this.#orders.get(clientOrderId);
    if (p) return this.#update(p, 'reconcile');
    // An order from before a restart: paper orders do not survive one, so it is over, unfilled beyond what the journal has.
    return { clientOrderId, symbol, status: 'cancelled', cumQty: 0, cumQuote: 0, reason: 'paper venue restarted', source: 'reconcile' };
  }

  /** The paper account is the journal itself: nothing to reconcile against. */
  async positions(): Promise<Map<string, number>> {
    return new Map();
  }

  async stop(): Promise<void> {
    await this.source.stop();
  }
}
