import { defineStrategy } from '../define-strategy.js';

/**
 * Grid: a ladder of price levels `spacing` apart below an anchor (the first close). Inventory goes up
 * one lot for each level price falls through and down one lot for each level it climbs back, using
 * resting limit orders one level below and one level above the current inventory level. Each lot is
 * `fraction / levels` of initial equity, so a full grid uses at most `fraction` of it.
 */
export const grid = defineStrategy({
  name: 'grid',
  description: 'Long-only limit-order grid below the starting price.',
  params: {
    levels: { type: 'int', min: 1, max: 100, default: 10 },
    spacing: { type: 'float', min: 0.001, max: 0.2, default: 0.01, description: 'gap between levels, fraction of the anchor' },
    fraction: { type: 'float', min: 0.01, max: 1, default: 1 },
  },
  init() {
    return { anchor: NaN, lot: NaN, level: -1 };
  },
  onBar(ctx) {
    const s = ctx.state;
    const p = ctx.params;
    if (Number.isNaN(s.anchor)) {
      s.anchor = ctx.bars.close(0);
      // Lot sized at the lowest level's price so that the full ladder fits in `fraction` of equity.
      s.lot = (p.fraction * ctx.equity) / p.levels / s.anchor;
    }
    const level = Math.round(ctx.position.qty / s.lot);
    if (level === s.level && ctx.openOrders.length > 0) return;
    s.level = level;
    ctx.cancelAll();
    const price = (k: number) => s.anchor * (1 - p.spacing * k);
    if (level < p.levels) ctx.order({ side: 'buy', type: 'limit', limitPrice: price(level + 1), size: { qty: s.lot }, tag: `grid-buy-${level + 1}` });
    if (level > 0) ctx.order({ side: 'sell', type: 'limit', limitPrice: price(level - 1), size: { qty: Math.min(s.lot, ctx.position.qty) }, tag: `grid-sell-${level - 1}` });
  },
});
