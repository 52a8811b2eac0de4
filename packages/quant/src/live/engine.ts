/**
 * The live engine: venue market data → bars → the strategy (the same `defineStrategy` definition as in
 * backtests) → pre-trade risk → journal → venue. Venue updates drive the order state machine and the
 * position tracker; every event is journaled first, so a restart replays the journal and reconciles
 * with the venue instead of guessing.
 */
import type { Bar } from '../data/ohlcv.js';
import type { StrategyDefinition } from '../strategy/define-strategy.js';
import type { PositionInfo, Side, Size } from '../strategy/orders.js';
import { resolveParams, type ParamSpecs } from '../strategy/params.js';
import { BarBuilder } from './bar-builder.js';
import { Journal, type FsyncPolicy } from './journal.js';
import { LiveContext } from './live-context.js';
import { OrderStateError, type LiveOrder, type OrderBook } from './order-state.js';
import type { PositionTracker } from './position-tracker.js';
import { RiskManager, RiskRejection, type RiskLimits, type TradingState } from './risk-manager.js';
import type { MarketEvent, OrderSpec, OrderUpdate, VenueAdapter } from './types.js';

/** Options for {@link LiveEngine}. */
export interface LiveEngineOptions<P extends ParamSpecs, S> {
  venue: VenueAdapter;
  strategy: StrategyDefinition<P, S>;
  params?: Record<string, unknown>;
  /** The one symbol this engine trades (e.g. `BTCUSDT`). */
  symbol: string;
  /** Bars from closed klines (default) or built from trades every `barMs`. */
  bars?: 'kline' | 'trades';
  /** Bar period for `bars: 'trades'`, ms; default 60,000. */
  barMs?: number;
  /** Journal file (JSON lines); replayed at start when it exists. */
  journal: string;
  /** See {@link Journal}; default `interval`. */
  fsync?: FsyncPolicy;
  risk?: RiskLimits;
  /** Quote capital the strategy sizes fractions against; default 10,000. */
  capital?: number;
  /** Default order size; default `{ fraction: 1 }`. */
  defaultSize?: Size;
  /** Client order id prefix (≤ 20 chars of `[A-Za-z0-9_-]`); default `xev-`. */
  clientIdPrefix?: string;
  /** Clock for risk windows; default Date.now. */
  now?: () => number;
  /** Operational log (never receives credentials). */
  log?: (line: string) => void;
  /** Delay before retrying a failed reconciliation, ms; default 1,000. */
  reconcileRetryMs?: number;
  /** Called with each order spec right after it is handed to the venue (benchmarks measure here). */
  onSent?: (spec: OrderSpec, tickReceivedNs: number) => void;
}

/** Engine counters. */
export interface EngineStats {
  marketEvents: number;
  bars: number;
  ordersSent: number;
  riskRejections: number;
  problems: number;
  reconciliations: number;
}

/** The live engine for one strategy on one symbol. */
export class LiveEngine<P extends ParamSpecs, S> {
  readonly journal: Journal;
  readonly orders: OrderBook;
  readonly positions: PositionTracker;
  readonly risk: RiskManager;
  readonly stats: EngineStats = { marketEvents: 0, bars: 0, ordersSent: 0, riskRejections: 0, problems: 0, reconciliations: 0 };
  /** Problems the venue reported (dropped streams, unreadable messages), newest last, at most 100. */
  readonly problems: Error[] = [];
  readonly #o: LiveEngineOptions<P, S>;
  readonly #bars: BarBuilder;
  readonly #ctx: LiveContext<P, S>;
  readonly #prefix: string;
  #tickNs = 0;
  #inFlight = new Set<Promise<unknown>>();
  #reconciling: Promise<void> | null = null;
  #started = false;
  #stopping = false;
  readonly #retries = new Set<NodeJS.Timeout>();

  constructor(options: LiveEngineOptions<P, S>) {
    this.#o = options;
    this.#prefix = options.clientIdPrefix ?? 'xev-';
    if (!/^[A-Za-z0-9_-]{0,20}$/.test(this.#prefix)) throw new TypeError('clientIdPrefix must be ≤ 20 characters of [A-Za-z0-9_-]');
    const recovered = Journal.replay(options.journal);
    this.orders = recovered.orders;
    this.positions = recovered.positions;
    this.journal = new Journal(options.journal, { fsync: options.fsync });
    if (recovered.tornTail !== undefined) this.journal.append({ t: 'event', what: 'torn-tail-skipped', detail: recovered.tornTail.slice(0, 200) });
    this.risk = new RiskManager(options.risk ?? {}, this.positions, options.now);
    if (recovered.riskState === 'HALTED' || recovered.riskState === 'REDUCING') this.risk.setState(recovered.riskState, 'restored from the journal');
    this.risk.onState = (state, reason) => this.#onRiskState(state, reason);
    const values = resolveParams(options.strategy.name, options.strategy.params, options.params ?? {});
    this.#bars = new BarBuilder(options.barMs ?? 60_000, (_c, bar) => this.#onBar(bar));
    const self = this;
    this.#ctx = new LiveContext<P, S>(values, {
      get bars() { return self.#bars.cursor; },
      position: () => this.#position(),
      equity: () => (options.capital ?? 10_000) + this.positions.totalPnl(),
      cash: () => {
        const p = this.positions.get(options.symbol);
        return (options.capital ?? 10_000) + p.realized - p.fees - p.qty * (p.qty === 0 ? 0 : p.avgPrice);
      },
      openOrders: () => this.orders.open().filter((o) => o.symbol === options.symbol),
      send: (side, type, qty, price, tag) => this.#send(side, type, qty, price, tag),
      cancel: (id) => {
        const o = this.orders.open().find((x) => x.id === id);
        if (!o) return false;
        this.#track(this.cancel(o.clientOrderId));
        return true;
      },
      cancelAll: () => void this.#track(this.cancelAll()),
    }, options.defaultSize ?? { fraction: 1 });
    this.#ctx.state = options.strategy.init({ params: values, timeframe: undefined });
  }

  /** The trading state. */
  get state(): TradingState {
    return this.risk.state;
  }

  /** Reconciles with the venue, then starts its streams (each (re)connection reconciles again). */
  async start(): Promise<void> {
    this.journal.append({ t: 'event', what: 'start', detail: `${this.#o.venue.name} ${this.#o.symbol} ${this.#o.strategy.name}` });
    this.#started = true;
    await this.#o.venue.start({
      market: (e) => this.onMarket(e),
      order: (u) => this.#applyUpdate(u),
      connected: (stream, first) => {
        this.journal.append({ t: 'event', what: first ? 'connected' : 'reconnected', detail: stream });
        this.#track(this.reconcile());
      },
      problem: (e) => this.#problem(e),
    });
    await this.reconcile();
  }

  /** Handles one market event (adapters call it; benchmarks may too). */
  onMarket(e: MarketEvent): void {
    this.stats.marketEvents++;
    if (e.symbol !== this.#o.symbol) return;
    this.#tickNs = e.receivedNs;
    if (e.kind === 'trade') {
      this.positions.mark(e.symbol, e.price);
      if (this.#o.bars === 'trades') this.#bars.trade(e);
    } else if (e.kind === 'kline') {
      this.positions.mark(e.symbol, e.close);
      if (this.#o.bars !== 'trades') this.#bars.kline(e);
    }
  }

  #onBar(_bar: Bar): void {
    this.stats.bars++;
    this.risk.evaluate();
    try {
      this.#o.strategy.onBar(this.#ctx);
    } catch (e) {
      this.#problem(new Error(`strategy ${this.#o.strategy.name} threw in onBar: ${(e as Error).message}`));
    }
  }

  #position(): PositionInfo {
    const p = this.positions.get(this.#o.symbol);
    return { qty: p.qty, avgPrice: p.avgPrice };
  }

  #send(side: Side, type: 'market' | 'limit', qty: number, price: number | undefined, tag: string | undefined): number {
    const id = this.orders.lastId + 1;
    const spec: OrderSpec = { clientOrderId: `${this.#prefix}${id}`, symbol: this.#o.symbol, side, type, qty, ...(price !== undefined ? { price } : {}) };
    try {
      this.risk.check(spec, (sym) => this.#pending(sym));
    } catch (e) {
      if (!(e instanceof RiskRejection)) throw e;
      this.stats.riskRejections++;
      this.journal.append({ t: 'event', what: 'risk-rejected', detail: `${spec.clientOrderId} ${e.message}` });
      this.#o.log?.(e.message);
      return -1;
    }
    const o = this.orders.add(spec, tag, id);
    // Write-ahead: the order is on disk before any byte of it reaches the venue.
    this.journal.append({ t: 'order', spec, ...(tag !== undefined ? { tag } : {}), id });
    this.stats.ordersSent++;
    const placed = this.#o.venue.placeOrder(spec);
    this.#o.onSent?.(spec, this.#tickNs);
    this.#track(placed.then((u) => this.#applyUpdate(u), (e: Error) => this.#placeFailed(o, e)));
    return id;
  }

  /** Submits an order directly (operators and tests); resolves its id, or -1 when risk refused it. */
  submit(side: Side, type: 'market' | 'limit', qty: number, price?: number, tag?: string): number {
    return this.#send(side, type, qty, price, tag);
  }

  #placeFailed(o: LiveOrder, e: Error): void {
    // A refusal with a venue answer is a reject; a transport failure leaves the order unknown until
    // reconciliation asks the venue by client order id (it may have arrived).
    if ((e as { venueReject?: boolean }).venueReject) {
      this.#applyUpdate({ clientOrderId: o.clientOrderId, symbol: o.symbol, status: 'rejected', cumQty: 0, cumQuote: 0, reason: e.message, source: 'rest' });
    } else {
      this.#problem(new Error(`order ${o.clientOrderId}: ${e.message}; reconciling`));
      this.#track(this.reconcile());
    }
  }

  #pending(symbol: string): number {
    let s = 0;
    for (const o of this.orders.open()) if (o.symbol === symbol) s += (o.side === 'buy' ? 1 : -1) * (o.qty - o.cumQty);
    return s;
  }

  #applyUpdate(u: OrderUpdate): void {
    if (!this.orders.get(u.clientOrderId)) {
      // Not ours (another client on the account) or from before this journal: recorded, not booked.
      this.journal.append({ t: 'event', what: 'foreign-order-update', detail: u.clientOrderId });
      return;
    }
    let r;
    try {
      r = this.orders.apply(u);
    } catch (e) {
      if (e instanceof OrderStateError) return this.#problem(e);
      throw e;
    }
    if (!r.changed) return;
    this.journal.append({ t: 'update', u });
    if (r.fill) {
      this.positions.fill(r.fill.symbol, r.fill.qty, r.fill.price, r.fill.fee);
      this.risk.evaluate();
    }
  }

  /** Cancels one order by client id (the venue's answer updates the state machine). */
  async cancel(clientOrderId: string): Promise<void> {
    const o = this.orders.get(clientOrderId);
    if (!o) return;
    try {
      this.#applyUpdate(await this.#o.venue.cancelOrder(o.symbol, clientOrderId));
    } catch (e) {
      this.#problem(new Error(`cancel ${clientOrderId}: ${(e as Error).message}`));
    }
  }

  /** Cancels every open order. */
  async cancelAll(): Promise<void> {
    await Promise.all(this.orders.open().map((o) => this.cancel(o.clientOrderId)));
  }

  /** The kill switch: HALTED (no order passes risk any more) and every open order cancelled. */
  async kill(reason = 'kill switch'): Promise<void> {
    this.risk.kill(reason);
    await this.cancelAll();
    await this.idle();
  }

  #onRiskState(state: TradingState, reason: string): void {
    this.journal.append({ t: 'risk', state, reason });
    this.#o.log?.(`trading state ${state}: ${reason}`);
    if (state === 'HALTED' && this.#started) this.#track(this.cancelAll());
  }

  /**
   * Asks the venue about every order the journal thinks is open and about positions. Runs at start and
   * after each reconnect; concurrent calls share one pass. Cumulative fills make it idempotent.
   */
  reconcile(): Promise<void> {
    this.#reconciling ??= this.#reconcile().finally(() => (this.#reconciling = null));
    return this.#reconciling;
  }

  async #reconcile(): Promise<void> {
    this.stats.reconciliations++;
    const v = this.#o.venue;
    const sym = this.#o.symbol;
    try {
      for (const o of this.orders.open()) {
        const u = await v.orderStatus(o.symbol, o.clientOrderId);
        if (u) this.#applyUpdate({ ...u, source: 'reconcile' });
        else if (o.state === 'new') {
          // The venue never saw it (the request died before arriving): it can be neither filled nor open.
          this.#applyUpdate({ clientOrderId: o.clientOrderId, symbol: o.symbol, status: 'rejected', cumQty: 0, cumQuote: 0, reason: 'never reached the venue', source: 'reconcile' });
        }
      }
      const held = (await v.positions([sym])).get(sym);
      const p = this.positions.get(sym);
      if (held !== undefined && Math.abs(held - p.qty) > 1e-9) {
        this.journal.append({ t: 'position', symbol: sym, qty: held, avgPrice: p.qty === 0 ? this.positions.lastPrice(sym) : p.avgPrice, why: `venue holds ${held}, journal had ${p.qty}` });
        this.positions.reset(sym, held, p.qty === 0 ? this.positions.lastPrice(sym) : p.avgPrice);
      }
      this.journal.append({ t: 'event', what: 'reconciled', detail: `${this.orders.open().length} open` });
    } catch (e) {
      this.#problem(new Error(`reconciliation failed: ${(e as Error).message}; retrying`));
      // Until a pass succeeds the engine does not know what the venue holds, so it keeps asking.
      if (this.#started && !this.#stopping) {
        const t = setTimeout(() => this.#track(this.reconcile()), this.#o.reconcileRetryMs ?? 1000);
        this.#retries.add(t);
      }
    }
  }

  #problem(e: Error): void {
    this.stats.problems++;
    this.problems.push(e);
    if (this.problems.length > 100) this.problems.shift();
    this.journal.append({ t: 'event', what: 'problem', detail: e.message.slice(0, 500) });
    this.#o.log?.(`problem: ${e.message}`);
  }

  #track(p: Promise<unknown>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  /** Resolves once no order request, cancel or reconciliation is in flight. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0 || this.#reconciling) await Promise.allSettled([...this.#inFlight, this.#reconciling]);
  }

  /** Stops the venue's streams and closes the journal. Open orders stay at the venue (use `kill` first to cancel). */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const t of this.#retries) clearTimeout(t);
    await this.idle();
    await this.#o.venue.stop();
    this.journal.append({ t: 'event', what: 'stop' });
    this.journal.close();
  }
}
