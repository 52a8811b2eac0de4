/** Thrown when the accounting identity breaks: a bug in the engine, never a market condition. */
export class LedgerInvariantError extends Error {
  /** @param message - the two sides of the identity and the bar. */
  constructor(message: string) {
    super(message);
    this.name = 'LedgerInvariantError';
  }
}

/**
 * The account of one instrument: cash, a signed position with its average price, realized PnL and
 * fees. Positions net: a fill against the position first closes quantity (realizing
 * (price − avg)·closed·sign) and any remainder opens the opposite side at the fill price.
 *
 * Shorts: selling credits the proceeds to cash and the negative quantity is marked at the current
 * price, so equity = cash + qty·mark holds for shorts too; `marginUsed` reports the collateral a
 * broker would lock (|qty|·mark·shortMarginRate), which the engine uses for its leverage check.
 */
export class Ledger {
  /** Cash balance. */
  cash: number;
  /** Signed position: > 0 long, < 0 short. */
  qty = 0;
  /** Average entry price of the open quantity (NaN when flat). */
  avgPrice = NaN;
  /** Realized PnL, gross of fees. */
  realizedPnl = 0;
  /** Fees paid. */
  feesPaid = 0;

  /**
   * @param initialCash - starting cash.
   * @param shortMarginRate - fraction of short notional held as margin (1 = fully collateralized).
   */
  constructor(readonly initialCash: number, readonly shortMarginRate = 1) {
    if (!(initialCash > 0)) throw new RangeError(`initial cash must be positive, got ${initialCash}`);
    this.cash = initialCash;
  }

  /**
   * Applies a fill of signed quantity `dq` (> 0 buy, < 0 sell) at `price` with `fee`.
   * Returns the PnL realized by this fill (gross of its fee).
   */
  fill(dq: number, price: number, fee: number): number {
    if (!(Number.isFinite(dq) && dq !== 0 && price > 0 && fee >= 0)) {
      throw new LedgerInvariantError(`invalid fill: qty ${dq} at ${price} with fee ${fee}`);
    }
    this.cash -= dq * price + fee;
    this.feesPaid += fee;
    const q = this.qty;
    let realized = 0;
    if (q === 0 || Math.sign(q) === Math.sign(dq)) {
      // Opening or adding: the average moves toward the fill price, weighted by quantity.
      const next = q + dq;
      this.avgPrice = q === 0 ? price : (this.avgPrice * q + price * dq) / next;
      this.qty = next;
      return 0;
    }
    const closing = Math.min(Math.abs(dq), Math.abs(q));
    realized = (price - this.avgPrice) * closing * Math.sign(q);
    this.realizedPnl += realized;
    const next = q + dq;
    // Snap quantities that differ from zero only by rounding, so "flat" is exactly flat.
    if (Math.abs(next) <= 1e-12 * Math.max(Math.abs(q), Math.abs(dq))) {
      this.qty = 0;
      this.avgPrice = NaN;
    } else if (Math.sign(next) !== Math.sign(q)) {
      this.qty = next;
      this.avgPrice = price;
    } else {
      this.qty = next;
    }
    return realized;
  }

  /** Equity marked at `mark`: cash + qty·mark. */
  equity(mark: number): number {
    return this.qty === 0 ? this.cash : this.cash + this.qty * mark;
  }

  /** Unrealized PnL at `mark`. */
  unrealizedPnl(mark: number): number {
    return this.qty === 0 ? 0 : (mark - this.avgPrice) * this.qty;
  }

  /** Collateral locked by a short at `mark`. */
  marginUsed(mark: number): number {
    return this.qty < 0 ? -this.qty * mark * this.shortMarginRate : 0;
  }

  /**
   * Checks equity = cash + qty·mark against the independent sum initial cash + realized + unrealized −
   * fees, to 1e-9 relative. Any drift means a fill was booked inconsistently; throwing beats reporting
   * a wrong equity curve. `where` is a bar index or a label; an index avoids building a string on
   * every bar of the hot loop.
   */
  check(mark: number, where: string | number): number {
    const equity = this.equity(mark);
    const books = this.initialCash + this.realizedPnl + this.unrealizedPnl(mark) - this.feesPaid;
    const scale = Math.max(this.initialCash, Math.abs(equity), Math.abs(this.qty * mark), Math.abs(this.cash));
    if (!Number.isFinite(equity) || Math.abs(equity - books) > 1e-9 * scale) {
      throw new LedgerInvariantError(
        `ledger invariant broken at ${typeof where === 'number' ? `bar ${where}` : where}: cash ${this.cash} + qty ${this.qty} × mark ${mark} = ${equity}, ` +
          `but initial ${this.initialCash} + realized ${this.realizedPnl} + unrealized ${this.unrealizedPnl(mark)} − fees ${this.feesPaid} = ${books}`,
      );
    }
    return equity;
  }

  /** A plain snapshot for results and logs. */
  snapshot(mark: number): LedgerSnapshot {
    return {
      /** Cash balance. */
      cash: this.cash,
      /** Signed position. */
      qty: this.qty,
      /** Average entry price (NaN when flat). */
      avgPrice: this.avgPrice,
      /** Realized PnL, gross of fees. */
      realizedPnl: this.realizedPnl,
      /** Unrealized PnL at the mark. */
      unrealizedPnl: this.unrealizedPnl(mark),
      /** Fees paid. */
      feesPaid: this.feesPaid,
      /** Collateral locked by a short. */
      marginUsed: this.marginUsed(mark),
      /** cash + qty · mark. */
      equity: this.equity(mark),
    };
  }
}

/** The ledger's state at one mark price. */
export interface LedgerSnapshot {
  /** Cash balance. */
  cash: number;
  /** Signed position. */
  qty: number;
  /** Average entry price (NaN when flat). */
  avgPrice: number;
  /** Realized PnL, gross of fees. */
  realizedPnl: number;
  /** Unrealized PnL at the mark. */
  unrealizedPnl: number;
  /** Fees paid. */
  feesPaid: number;
  /** Collateral locked by a short. */
  marginUsed: number;
  /** cash + qty · mark. */
  equity: number;
}
