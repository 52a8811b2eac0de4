import type { ExitSpec, PriceOffset } from '../strategy/orders.js';
import type { FillReason } from './types.js';

/** Protective levels attached to the open position. NaN means "not set". */
export interface ActiveExits {
  /** Stop-loss level. */
  stopLoss: number;
  /** Take-profit level. */
  takeProfit: number;
  /** Trailing distance as a fraction of the best price. */
  trailPct: number;
  /** Trailing distance in price units. */
  trailDistance: number;
  /** Best price since entry (highest high for longs, lowest low for shorts), through the previous bar. */
  best: number;
  /** First bar index on which the exits are evaluated. */
  activeFrom: number;
}

function level(offset: PriceOffset | undefined, entry: number, direction: 1 | -1): number {
  if (!offset) return NaN;
  if ('price' in offset) return offset.price;
  if ('pct' in offset) return entry * (1 + direction * offset.pct);
  return entry + direction * offset.distance;
}

/**
 * Turns an order's exit spec into levels around the entry fill `entry` for a position of sign `dir`.
 * A long's stop-loss sits below the entry and its take-profit above; a short's the other way.
 */
export function makeExits(spec: ExitSpec, entry: number, dir: 1 | -1, activeFrom: number): ActiveExits | null {
  if (!spec.stopLoss && !spec.takeProfit && !spec.trailingStop) return null;
  const t = spec.trailingStop;
  return {
    /** Stop-loss level. */
    stopLoss: level(spec.stopLoss, entry, dir === 1 ? -1 : 1),
    /** Take-profit level. */
    takeProfit: level(spec.takeProfit, entry, dir),
    /** Trailing distance as a fraction of the best price. */
    trailPct: t && 'pct' in t ? t.pct : NaN,
    /** Trailing distance in price units. */
    trailDistance: t && 'distance' in t ? t.distance : NaN,
    best: entry,
    activeFrom,
  };
}

/** Result of evaluating exits on one bar. */
export interface ExitHit {
  /** Fill price. */
  price: number;
  /** Which exit fired. */
  reason: FillReason;
}

/**
 * Evaluates a position's exits against one bar, conservatively:
 * 1. a bar opening through the stop exits at the open (gap), and one opening through the target exits
 *    at the open (a better price than the target);
 * 2. otherwise, when the range touches both stop and target, the **stop is assumed hit first** — OHLC
 *    cannot tell which came first, and assuming the loss never overstates a strategy;
 * 3. the trailing level uses the best price through the *previous* bar, because this bar's extreme may
 *    have come after its low (long) and must not tighten the stop retroactively. The best price is
 *    updated after the check.
 * The effective stop is the tighter of stop-loss and trailing stop.
 */
export function checkExits(x: ActiveExits, dir: 1 | -1, open: number, high: number, low: number): ExitHit | null {
  let trail = NaN;
  if (!Number.isNaN(x.trailPct)) trail = x.best * (1 - dir * x.trailPct);
  else if (!Number.isNaN(x.trailDistance)) trail = x.best - dir * x.trailDistance;
  let stop = x.stopLoss;
  let stopReason: FillReason = 'stop-loss';
  if (!Number.isNaN(trail) && (Number.isNaN(stop) || (dir === 1 ? trail > stop : trail < stop))) {
    stop = trail;
    stopReason = 'trailing-stop';
  }
  const tp = x.takeProfit;
  const hasStop = !Number.isNaN(stop);
  const hasTp = !Number.isNaN(tp);
  let hit: ExitHit | null = null;
  if (dir === 1) {
    if (hasStop && open <= stop) hit = { price: open, reason: stopReason };
    else if (hasTp && open >= tp) hit = { price: open, reason: 'take-profit' };
    else if (hasStop && low <= stop) hit = { price: stop, reason: stopReason };
    else if (hasTp && high >= tp) hit = { price: tp, reason: 'take-profit' };
    else if (high > x.best) x.best = high;
  } else {
    if (hasStop && open >= stop) hit = { price: open, reason: stopReason };
    else if (hasTp && open <= tp) hit = { price: open, reason: 'take-profit' };
    else if (hasStop && high >= stop) hit = { price: stop, reason: stopReason };
    else if (hasTp && low <= tp) hit = { price: tp, reason: 'take-profit' };
    else if (low < x.best) x.best = low;
  }
  return hit;
}
