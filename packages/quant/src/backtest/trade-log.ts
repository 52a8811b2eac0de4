import type { FillReason, Trade } from './types.js';

interface OpenTrade {
  side: 'long' | 'short';
  entryIndex: number;
  entryTime: number;
  entryQty: number;
  entryValue: number;
  exitQty: number;
  exitValue: number;
  maxQty: number;
  gross: number;
  fees: number;
}

/**
 * Groups fills into round trips. A trade opens when the position leaves zero and closes when it
 * returns to zero; a fill that reverses the position closes one trade and opens the next, with its
 * fee split in proportion to the quantity on each side.
 */
export class TradeLog {
  /** Closed trades in order. */
  readonly trades: Trade[] = [];
  private open: OpenTrade | null = null;

  /** Records one fill that moved the position from `prevQty` to `nextQty`. */
  onFill(index: number, time: number, prevQty: number, nextQty: number, price: number, fee: number, realized: number, reason: FillReason): void {
    const dq = Math.abs(nextQty - prevQty);
    if (prevQty === 0) {
      this.start(index, time, nextQty, price, fee);
      return;
    }
    const t = this.open as OpenTrade;
    if (Math.sign(nextQty) === Math.sign(prevQty) && Math.abs(nextQty) > Math.abs(prevQty)) {
      t.entryQty += dq;
      t.entryValue += dq * price;
      t.maxQty = Math.max(t.maxQty, Math.abs(nextQty));
      t.fees += fee;
      return;
    }
    const closed = Math.min(dq, Math.abs(prevQty));
    const closeFee = (fee * closed) / dq;
    t.exitQty += closed;
    t.exitValue += closed * price;
    t.gross += realized;
    t.fees += closeFee;
    if (nextQty === 0 || Math.sign(nextQty) !== Math.sign(prevQty)) {
      this.finish(index, time, reason);
      if (nextQty !== 0) this.start(index, time, nextQty, price, fee - closeFee);
    }
  }

  /** Whether a trade is open. */
  get isOpen(): boolean {
    return this.open !== null;
  }

  private start(index: number, time: number, qty: number, price: number, fee: number): void {
    const q = Math.abs(qty);
    this.open = {
      side: qty > 0 ? 'long' : 'short', entryIndex: index, entryTime: time, entryQty: q, entryValue: q * price,
      exitQty: 0, exitValue: 0, maxQty: q, gross: 0, fees: fee,
    };
  }

  private finish(index: number, time: number, reason: FillReason): void {
    const t = this.open as OpenTrade;
    const entryPrice = t.entryValue / t.entryQty;
    const net = t.gross - t.fees;
    this.trades.push({
      side: t.side,
      entryIndex: t.entryIndex,
      entryTime: t.entryTime,
      entryPrice,
      exitIndex: index,
      exitTime: time,
      exitPrice: t.exitValue / t.exitQty,
      qty: t.maxQty,
      grossPnl: t.gross,
      fees: t.fees,
      netPnl: net,
      returnPct: net / t.entryValue,
      exitReason: reason,
      bars: index - t.entryIndex,
    });
    this.open = null;
  }
}
