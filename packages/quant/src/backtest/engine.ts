import type { OhlcvSeries } from '../data/ohlcv.js';
import { inferTimeframe, parseTimeframe, type Timeframe } from '../data/timeframe.js';
import type { StrategyContext } from '../strategy/context.js';
import { BarCursor } from '../strategy/cursor.js';
import type { StrategyDefinition } from '../strategy/define-strategy.js';
import type { EntryRequest, ExitSpec, OrderInfo, OrderRequest, PositionInfo } from '../strategy/orders.js';
import { resolveParams, type ParamSpecs, type ParamValues } from '../strategy/params.js';
import { Broker } from './broker.js';
import { withLazyLog } from './fill-columns.js';
import type { BacktestOptions, BacktestResult } from './types.js';

/** Applies defaults and checks option values. */
export function resolveOptions(o: BacktestOptions = {}): BacktestResult['options'] {
  const r: BacktestResult['options'] = {
    initialCash: o.initialCash ?? 10_000,
    fees: { maker: o.fees?.maker ?? 0, taker: o.fees?.taker ?? 0, fixed: o.fees?.fixed ?? 0 },
    slippageBps: o.slippageBps ?? 0,
    fillAt: o.fillAt ?? 'next-open',
    defaultSize: o.defaultSize ?? { fraction: 1 },
    maxLeverage: o.maxLeverage ?? 1,
    shortMarginRate: o.shortMarginRate ?? 1,
    closeAtEnd: o.closeAtEnd ?? true,
  };
  const bad = (what: string, v: unknown) => new RangeError(`backtest option ${what} is invalid: ${JSON.stringify(v)}`);
  if (!(r.initialCash > 0)) throw bad('initialCash (must be > 0)', r.initialCash);
  for (const k of ['maker', 'taker', 'fixed'] as const) if (!(r.fees[k] >= 0)) throw bad(`fees.${k} (must be ≥ 0)`, r.fees[k]);
  if (!(r.slippageBps >= 0)) throw bad('slippageBps (must be ≥ 0)', r.slippageBps);
  if (r.fillAt !== 'next-open' && r.fillAt !== 'close') throw bad('fillAt (next-open or close)', r.fillAt);
  if (!(r.maxLeverage > 0)) throw bad('maxLeverage (must be > 0)', r.maxLeverage);
  if (!(r.shortMarginRate > 0)) throw bad('shortMarginRate (must be > 0)', r.shortMarginRate);
  return r;
}

function exitsOf(req: ExitSpec): ExitSpec | undefined {
  if (!req.stopLoss && !req.takeProfit && !req.trailingStop) return undefined;
  return { stopLoss: req.stopLoss, takeProfit: req.takeProfit, trailingStop: req.trailingStop };
}

/** The backtest's implementation of the strategy context. */
class BacktestContext<P extends ParamSpecs, S> implements StrategyContext<P, S> {
  state!: S;

  // A true private field: the broker holds the whole series, so strategy code must have no path to it.
  readonly #b: Broker;

  constructor(readonly params: ParamValues<P>, readonly bars: BarCursor, broker: Broker) {
    this.#b = broker;
  }

  get position(): PositionInfo {
    return this.#b.position;
  }

  get equity(): number {
    return this.#b.ledger.equity(this.bars.close(0));
  }

  get cash(): number {
    return this.#b.ledger.cash;
  }

  get openOrders(): readonly OrderInfo[] {
    return this.#b.orders.map((o) => ({
      id: o.id, side: o.side, type: o.type, target: o.target,
      limitPrice: Number.isNaN(o.limitPrice) ? undefined : o.limitPrice,
      stopPrice: Number.isNaN(o.stopPrice) ? undefined : o.stopPrice,
      tag: o.tag,
    }));
  }

  order(req: OrderRequest): number {
    if (req.side !== 'buy' && req.side !== 'sell') throw new TypeError(`order side must be buy or sell, got ${String(req.side)}`);
    return this.#b.submit({
      side: req.side, type: req.type ?? 'market', target: undefined, size: req.size,
      limitPrice: req.limitPrice ?? NaN, stopPrice: req.stopPrice ?? NaN, exits: exitsOf(req), tag: req.tag,
      placedAt: this.bars.index,
    });
  }

  private enter(target: 'long' | 'short', req: EntryRequest): number {
    const dir = target === 'long' ? 1 : -1;
    // The latest intent wins: a pending entry the other way, or a pending exit, is withdrawn.
    this.#b.orders = this.#b.orders.filter((o) => o.target === undefined || o.target === target);
    if (Math.sign(this.#b.position.qty) === dir) return -1;
    const pending = this.#b.orders.find((o) => o.target === target);
    if (pending) return pending.id;
    return this.#b.submit({
      side: target === 'long' ? 'buy' : 'sell', type: req.type ?? 'market', target, size: req.size,
      limitPrice: req.limitPrice ?? NaN, stopPrice: req.stopPrice ?? NaN, exits: exitsOf(req), tag: req.tag,
      placedAt: this.bars.index,
    });
  }

  enterLong(req: EntryRequest = {}): number {
    return this.enter('long', req);
  }

  enterShort(req: EntryRequest = {}): number {
    return this.enter('short', req);
  }

  exit(tag?: string): number {
    // A pending entry would re-open what this closes, so exiting withdraws it.
    this.#b.orders = this.#b.orders.filter((o) => o.target !== 'long' && o.target !== 'short');
    const q = this.#b.position.qty;
    if (q === 0) return -1;
    const pending = this.#b.orders.find((o) => o.target === 'flat');
    if (pending) return pending.id;
    return this.#b.submit({
      side: q > 0 ? 'sell' : 'buy', type: 'market', target: 'flat', size: undefined,
      limitPrice: NaN, stopPrice: NaN, exits: undefined, tag, placedAt: this.bars.index,
    });
  }

  cancel(id: number): boolean {
    return this.#b.cancel(id);
  }

  cancelAll(): void {
    this.#b.orders = [];
  }
}

/**
 * Runs `strategy` over `series`, event by event. Each bar:
 * 1. market orders from the previous bar fill at this bar's open (next-open mode);
 * 2. the open position's stop-loss / take-profit / trailing stop are checked against the bar;
 * 3. resting limit, stop and stop-limit orders from earlier bars are checked against the bar;
 * 4. the ledger is marked at the close and its invariant checked (throws on violation);
 * 5. the strategy's `onBar` sees bars up to this one and may place orders;
 * 6. in close mode, its market orders fill at this close and the ledger is re-checked.
 * At the end the position is flattened at the last close unless `closeAtEnd` is false.
 */
export function runBacktest<P extends ParamSpecs, S>(
  series: OhlcvSeries,
  strategy: StrategyDefinition<P, S>,
  params: Record<string, unknown> = {},
  options: BacktestOptions = {},
): BacktestResult {
  const opts = resolveOptions(options);
  // Without an explicit timeframe, infer it from bar spacing so metrics can annualize.
  const tf: Timeframe | undefined = typeof options.timeframe === 'string'
    ? parseTimeframe(options.timeframe)
    : options.timeframe ?? (series.length >= 2 ? inferTimeframe(series.time, 10_000) : undefined);
  const values = resolveParams(strategy.name, strategy.params, params);
  const broker = new Broker(series, opts);
  const cursor = new BarCursor(series);
  const ctx = new BacktestContext<P, S>(values, cursor, broker);
  ctx.state = strategy.init({ params: values, timeframe: tf });
  const n = series.length;
  const equity = new Float64Array(n);
  const inMarket = new Uint8Array(n);
  const close = series.close;
  const atOpen = opts.fillAt === 'next-open';
  const ledger = broker.ledger;
  for (let i = 0; i < n; i++) {
    if (broker.orders.length > 0 && atOpen) broker.fillMarket(i, series.open[i], true);
    if (broker.exits !== null) broker.processExits(i);
    if (broker.orders.length > 0) broker.processResting(i);
    const c = close[i];
    equity[i] = ledger.check(c, i);
    cursor.seek(i);
    strategy.onBar(ctx);
    if (!atOpen && broker.orders.length > 0) {
      broker.fillMarket(i, c, false);
      equity[i] = ledger.check(c, i);
    }
    inMarket[i] = ledger.qty !== 0 ? 1 : 0;
  }
  if (n > 0 && opts.closeAtEnd && ledger.qty !== 0) {
    broker.flatten(n - 1, close[n - 1], 'end-of-data');
    equity[n - 1] = ledger.check(close[n - 1], `bar ${n - 1} end of data`);
  }
  const last = n > 0 ? close[n - 1] : NaN;
  return withLazyLog({
    strategy: strategy.name,
    params: values as Record<string, unknown>,
    options: opts,
    timeframe: tf,
    time: series.time,
    close: series.close,
    equity,
    inMarket,
    rejected: broker.rejected,
    final: ledger.snapshot(last),
  }, broker.log, series.time);
}
