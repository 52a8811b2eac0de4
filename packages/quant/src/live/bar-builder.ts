/**
 * Turns live market events into closed bars in a growing columnar series, which the strategy reads
 * through the same past-only {@link BarCursor} as in a backtest. Bars come from the venue's closed
 * klines, or are built from trades on a fixed period when the feed has no klines.
 */
import { OhlcvSeries, type Bar } from '../data/ohlcv.js';
import { BarCursor } from '../strategy/cursor.js';
import type { KlineEvent, TradeEvent } from './types.js';

/** Collects closed bars; `onBar` fires once per closed bar, with the cursor on it. */
export class BarBuilder {
  #series: OhlcvSeries;
  #cursor: BarCursor;
  #n = 0;
  #open: Bar | null = null;

  /**
   * @param periodMs - bar length for bars built from trades (ignored for klines).
   * @param onBar - called after each bar closes.
   */
  constructor(readonly periodMs: number, private readonly onBar: (cursor: BarCursor, bar: Bar) => void, capacity = 4096) {
    this.#series = OhlcvSeries.allocate(capacity);
    this.#cursor = new BarCursor(this.#series);
  }

  /** Closed bars so far. */
  get length(): number {
    return this.#n;
  }

  /** The cursor strategies read (replaced when the series grows). */
  get cursor(): BarCursor {
    return this.#cursor;
  }

  /** A kline update: only closed ones become bars, and a repeated close of the same bar is ignored. */
  kline(e: KlineEvent): void {
    if (!e.closed) return;
    if (this.#n > 0 && this.#series.time[this.#n - 1] >= e.time) return;
    this.#push({ time: e.time, open: e.open, high: e.high, low: e.low, close: e.close, volume: e.volume });
  }

  /** A trade: extends the bar in progress, or closes it and starts the next when the period rolls over. */
  trade(e: TradeEvent): void {
    const start = Math.floor(e.time / this.periodMs) * this.periodMs;
    const b = this.#open;
    if (b && start > b.time) {
      this.#open = null;
      this.#push(b);
    }
    if (!this.#open) this.#open = { time: start, open: e.price, high: e.price, low: e.price, close: e.price, volume: e.qty };
    else {
      const o = this.#open;
      if (e.price > o.high) o.high = e.price;
      if (e.price < o.low) o.low = e.price;
      o.close = e.price;
      o.volume += e.qty;
    }
  }

  #push(b: Bar): void {
    if (this.#n === this.#series.length) this.#grow();
    const s = this.#series;
    const i = this.#n++;
    s.time[i] = b.time;
    s.open[i] = b.open;
    s.high[i] = b.high;
    s.low[i] = b.low;
    s.close[i] = b.close;
    s.volume[i] = b.volume;
    this.#cursor.seek(i);
    this.onBar(this.#cursor, b);
  }

  // Doubling keeps appends amortized O(1); the old cursor is dropped so strategy code holding the
  // context keeps working (it reads `ctx.bars`, which the engine re-points).
  #grow(): void {
    const old = this.#series;
    const next = OhlcvSeries.allocate(old.length * 2);
    for (const f of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) next[f].set(old[f]);
    this.#series = next;
    this.#cursor = new BarCursor(next);
  }
}
