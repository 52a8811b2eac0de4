/**
 * The live implementation of {@link StrategyContext}: the same hooks as the backtest, turned into
 * order specs for the engine. Live orders are market or limit; protective exits (stop-loss,
 * take-profit, trailing) are not managed live yet, and an order asking for them is refused rather
 * than silently sent without them.
 */
import type { StrategyContext } from '../strategy/context.js';
import type { BarCursor } from '../strategy/cursor.js';
import type { EntryRequest, OrderInfo, OrderRequest, PositionInfo, Side, Size } from '../strategy/orders.js';
import type { ParamSpecs, ParamValues } from '../strategy/params.js';
import type { LiveOrder } from './order-state.js';

/** What the context needs from the engine. */
export interface ContextHost {
  readonly bars: BarCursor;
  position(): PositionInfo;
  equity(): number;
  cash(): number;
  openOrders(): LiveOrder[];
  /** Sends an order; returns its strategy id, or -1 when risk refused it. */
  send(side: Side, type: 'market' | 'limit', qty: number, price: number | undefined, tag: string | undefined): number;
  cancel(id: number): boolean;
  cancelAll(): void;
}

/** The strategy context of one live symbol. */
export class LiveContext<P extends ParamSpecs, S> implements StrategyContext<P, S> {
  state!: S;
  readonly #h: ContextHost;

  constructor(readonly params: ParamValues<P>, host: ContextHost, private readonly defaultSize: Size) {
    this.#h = host;
  }

  get bars(): BarCursor {
    return this.#h.bars;
  }

  get position(): PositionInfo {
    return this.#h.position();
  }

  get equity(): number {
    return this.#h.equity();
  }

  get cash(): number {
    return this.#h.cash();
  }

  get openOrders(): readonly OrderInfo[] {
    return this.#h.openOrders().map((o) => ({
      id: o.id, side: o.side, type: o.type, target: targetOf(o.tag), limitPrice: o.price, stopPrice: undefined, tag: o.tag,
    }));
  }

  #qty(size: Size | undefined, price: number): number {
    const s = size ?? this.defaultSize;
    return 'qty' in s ? s.qty : (s.fraction * this.equity) / price;
  }

  order(req: OrderRequest): number {
    const type = req.type ?? 'market';
    if (type !== 'market' && type !== 'limit') throw new TypeError(`live orders are market or limit; ${type} is backtest-only for now`);
    if (req.stopLoss || req.takeProfit || req.trailingStop) throw new TypeError('protective exits are not managed by the live engine yet');
    const price = type === 'limit' ? req.limitPrice : this.bars.close(0);
    if (!(price! > 0)) throw new TypeError(`${type} order needs a price`);
    return this.#h.send(req.side, type, this.#qty(req.size, price!), type === 'limit' ? price : undefined, req.tag);
  }

  #enter(target: 'long' | 'short', req: EntryRequest): number {
    const dir = target === 'long' ? 1 : -1;
    const q = this.position.qty;
    if (Math.sign(q) === dir) return -1;
    const pending = this.#h.openOrders().find((o) => o.tag === `target:${target}`);
    if (pending) return pending.id;
    if (req.stopLoss || req.takeProfit || req.trailingStop) throw new TypeError('protective exits are not managed by the live engine yet');
    const type = req.type ?? 'market';
    if (type !== 'market' && type !== 'limit') throw new TypeError(`live orders are market or limit; ${type} is backtest-only for now`);
    const price = type === 'limit' ? req.limitPrice! : this.bars.close(0);
    const qty = this.#qty(req.size, price) + Math.abs(q);
    return this.#h.send(dir > 0 ? 'buy' : 'sell', type, qty, type === 'limit' ? price : undefined, `target:${target}`);
  }

  enterLong(req: EntryRequest = {}): number {
    return this.#enter('long', req);
  }

  enterShort(req: EntryRequest = {}): number {
    return this.#enter('short', req);
  }

  exit(tag?: string): number {
    const q = this.position.qty;
    if (q === 0) return -1;
    const pending = this.#h.openOrders().find((o) => o.tag === 'target:flat');
    if (pending) return pending.id;
    void tag;
    return this.#h.send(q > 0 ? 'sell' : 'buy', 'market', Math.abs(q), undefined, 'target:flat');
  }

  cancel(id: number): boolean {
    return this.#h.cancel(id);
  }

  cancelAll(): void {
    this.#h.cancelAll();
  }
}

function targetOf(tag: string | undefined): 'long' | 'short' | 'flat' | undefined {
  return tag === 'target:long' ? 'long' : tag === 'target:short' ? 'short' : tag === 'target:flat' ? 'flat' : undefined;
}
