import { BollingerBands } from '../../indicators/bollinger.js';
import { defineStrategy } from '../define-strategy.js';

/**
 * Bollinger breakout: long when the close breaks above the upper band, exit when it falls back below
 * the middle band; the mirror short when `allowShort`. Optional trailing stop.
 */
export const bollingerBreakout = defineStrategy({
  name: 'bollinger-breakout',
  description: 'Volatility breakout on Bollinger bands.',
  params: {
    period: { type: 'int', min: 5, max: 200, default: 20 },
    k: { type: 'float', min: 0.5, max: 4, default: 2 },
    trailPct: { type: 'float', min: 0, max: 0.5, default: 0, description: 'trailing stop, 0 disables' },
    allowShort: { type: 'bool', default: false },
  },
  init({ params }) {
    return { bb: new BollingerBands(params.period, params.k) };
  },
  onBar(ctx) {
    const c = ctx.bars.close(0);
    const b = ctx.state.bb.update(c);
    if (Number.isNaN(b.middle)) return;
    const q = ctx.position.qty;
    const trail = ctx.params.trailPct > 0 ? { trailingStop: { pct: ctx.params.trailPct } } : {};
    if (c > b.upper && q <= 0) ctx.enterLong(trail);
    else if (ctx.params.allowShort && c < b.lower && q >= 0) ctx.enterShort(trail);
    else if ((q > 0 && c < b.middle) || (q < 0 && c > b.middle)) ctx.exit();
  },
});
