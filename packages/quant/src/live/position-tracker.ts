/**
 * Positions per symbol from fills: signed quantity, average entry price, realized PnL and fees —
 * the same arithmetic as the backtest ledger, per symbol, without cash margining.
 */

/** One symbol's position. */
export interface Position {
  qty: number;
  avgPrice: number;
  realized: number;
  fees: number;
}

/** Positions by symbol, and the marks that value them. */
export class PositionTracker {
  readonly #pos = new Map<string, Position>();
  readonly #marks = new Map<string, number>();

  /** The position in `symbol` (flat when never traded). */
  get(symbol: string): Position {
    let p = this.#pos.get(symbol);
    if (!p) this.#pos.set(symbol, (p = { qty: 0, avgPrice: NaN, realized: 0, fees: 0 }));
    return p;
  }

  /** Symbols with a position record. */
  symbols(): string[] {
    return [...this.#pos.keys()];
  }

  /** Books a fill of signed quantity `dq` at `price`; returns the PnL it realized. */
  fill(symbol: string, dq: number, price: number, fee = 0): number {
    const p = this.get(symbol);
    let realized = 0;
    const q = p.qty;
    if (q === 0 || Math.sign(q) === Math.sign(dq)) {
      const n = q + dq;
      p.avgPrice = q === 0 ? price : (p.avgPrice * Math.abs(q) + price * Math.abs(dq)) / Math.abs(n);
      p.qty = n;
    } else {
      const closing = Math.min(Math.abs(dq), Math.abs(q));
      realized = closing * (price - p.avgPrice) * Math.sign(q);
      const n = q + dq;
      p.qty = Math.abs(n) < 1e-12 ? 0 : n;
      // Reversing opens the remainder at the fill price; a partial close keeps the average.
      if (p.qty === 0) p.avgPrice = NaN;
      else if (Math.sign(p.qty) !== Math.sign(q)) p.avgPrice = price;
    }
    p.realized += realized;
    p.fees += fee;
    return realized;
  }

  /** Overwrites a position's quantity (reconciliation found the venue holds something else). */
  reset(symbol: string, qty: number, avgPrice: number): void {
    const p = this.get(symbol);
    p.qty = qty;
    p.avgPrice = qty === 0 ? NaN : avgPrice;
  }

  /** Records the last price of `symbol`. */
  mark(symbol: string, price: number): void {
    this.#marks.set(symbol, price);
  }

  /** Last price of `symbol` (NaN before the first). */
  lastPrice(symbol: string): number {
    return this.#marks.get(symbol) ?? NaN;
  }

  /** Unrealized PnL of `symbol` at its mark. */
  unrealized(symbol: string): number {
    const p = this.get(symbol);
    const m = this.lastPrice(symbol);
    return p.qty === 0 || !Number.isFinite(m) ? 0 : p.qty * (m - p.avgPrice);
  }

  /** Realized + unrealized − fees over every symbol. */
  totalPnl(): number {
    let s = 0;
    for (const [sym, p] of this.#pos) s += p.realized - p.fees + this.unrealized(sym);
    return s;
  }

  /** Σ |qty|·mark over every symbol. */
  grossExposure(): number {
    let s = 0;
    for (const [sym, p] of this.#pos) {
      const m = this.lastPrice(sym);
      s += Math.abs(p.qty) * (Number.isFinite(m) ? m : p.avgPrice || 0);
    }
    return s;
  }
}
