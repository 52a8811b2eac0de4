import type { Side } from '../strategy/orders.js';

/**
 * The fill model's price rules, as pure functions of one bar. Intrabar order of events is unknown from
 * OHLC alone, so each rule takes the conservative reading. All returned prices lie in [low, high].
 */

/**
 * Limit order: a buy fills at the open when the bar opens at or below the limit (a gap in the buyer's
 * favour fills at the better price), else at the limit when the low reaches it; NaN when untouched.
 * Sells mirror this. Since open ∈ [low, high] and the limit is only used when low ≤ limit < open, the
 * fill never leaves the bar's range.
 */
export function limitFillPrice(side: Side, limit: number, open: number, high: number, low: number): number {
  if (side === 'buy') return open <= limit ? open : low <= limit ? limit : NaN;
  return open >= limit ? open : high >= limit ? limit : NaN;
}

/**
 * Stop order, gap-aware: a buy stop triggers when price trades at or above the stop; if the bar opens
 * beyond the stop the fill is the open (the stop price never traded), else the stop price. NaN when
 * untouched. Sells mirror this.
 */
export function stopFillPrice(side: Side, stop: number, open: number, high: number, low: number): number {
  if (side === 'buy') return open >= stop ? open : high >= stop ? stop : NaN;
  return open <= stop ? open : low <= stop ? stop : NaN;
}

/** Outcome of a stop-limit order on one bar. */
export interface StopLimitOutcome {
  /** Whether the stop traded on this bar. */
  triggered: boolean;
  /** Fill price, NaN when not filled on this bar. */
  price: number;
}

/**
 * Stop-limit: once the stop trades, the order is a limit. Triggered at the open (gap), the limit rule
 * applies to the rest of the bar. Triggered intrabar at the stop, it fills at the stop when the limit
 * is at least as good as the stop; otherwise it needs price to come back to the limit *after* the
 * trigger, which OHLC cannot show, so it rests as a limit from the next bar (conservative).
 */
export function stopLimitFill(side: Side, stop: number, limit: number, open: number, high: number, low: number): StopLimitOutcome {
  const buy = side === 'buy';
  if (buy ? open >= stop : open <= stop) return { triggered: true, price: limitFillPrice(side, limit, open, high, low) };
  if (buy ? high >= stop : low <= stop) return { triggered: true, price: (buy ? limit >= stop : limit <= stop) ? stop : NaN };
  return { triggered: false, price: NaN };
}

/**
 * Adverse slippage in basis points: buys pay more, sells receive less, clamped into [low, high] because
 * no trade can print outside the bar's range.
 */
export function slip(side: Side, price: number, bps: number, low: number, high: number): number {
  if (bps === 0) return price;
  const p = side === 'buy' ? price * (1 + bps / 10_000) : price * (1 - bps / 10_000);
  return p > high ? high : p < low ? low : p;
}
