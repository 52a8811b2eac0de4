import type { OhlcvSeries } from '../data/ohlcv.js';
import type { Size } from '../strategy/orders.js';
import type { ColumnarFills } from './fill-columns.js';
import type { Ledger } from './ledger.js';
import type { BacktestResult, FillReason, Rejection } from './types.js';

/**
 * The vectorized path's market-order execution: sizing, slippage, fees, the leverage check and
 * booking, with the same expressions in the same operation order as the event-driven Broker, so the
 * two agree to the last bit. A class with one instance per run (rather than closures per run) so V8's
 * optimized code for it survives from run to run.
 */
export class MarketBook {
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
}
