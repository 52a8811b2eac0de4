import { Rsi } from '../../indicators/rsi.js';
import { defineStrategy } from '../define-strategy.js';

/**
 * RSI mean reversion: buy when RSI drops below `oversold`, sell when it recovers above `exitLevel`;
 * with `allowShort`, short above `overbought` and cover below `exitLevel`. Optional protective
 * stop-loss as a fraction of the entry price.
 */
export const rsiMeanReversion = defineStrategy({
  name: 'rsi-mean-reversion',
  description: 'Fade RSI extremes, exit at the midline.',
  params: {
    period: { type: 'int', min: 2, max: 100, default: 14 },
    oversold: { type: 'float', min: 1, max: 50, default: 30 },
    overbought: { type: 'float', min: 50, max: 99, default: 70 },
    exitLevel: { type: 'float', min: 1, max: 99, default: 50 },
    stopLossPct: { type: 'float', min: 0, max: 0.5, default: 0, description: '0 disables the stop' },
    allowShort: { type: 'bool', default: false },
  },
  init({ params }) {
    return { rsi: new Rsi(params.period) };
  },
  onBar(ctx) {
    const r = ctx.state.rsi.update(ctx.bars.close(0));
    if (Number.isNaN(r)) return;
    const p = ctx.params;
    const q = ctx.position.qty;
    const stop = p.stopLossPct > 0 ? { stopLoss: { pct: p.stopLossPct } } : {};
    if (q === 0) {
      if (r < p.oversold) ctx.enterLong(stop);
      else if (p.allowShort && r > p.overbought) ctx.enterShort(stop);
    } else if ((q > 0 && r > p.exitLevel) || (q < 0 && r < p.exitLevel)) {
      ctx.exit('rsi-exit');
    }
  },
});
