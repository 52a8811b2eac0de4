import { Macd } from '../../indicators/macd.js';
import { defineStrategy } from '../define-strategy.js';

/** MACD signal-line cross: long when MACD crosses above its signal, exit (or short) on the cross below. */
export const macdCross = defineStrategy({
  name: 'macd-cross',
  description: 'MACD / signal line crossover.',
  params: {
    fast: { type: 'int', min: 2, max: 50, default: 12 },
    slow: { type: 'int', min: 3, max: 100, default: 26 },
    signal: { type: 'int', min: 2, max: 50, default: 9 },
    allowShort: { type: 'bool', default: false },
  },
  init({ params }) {
    return { macd: new Macd(params.fast, params.slow, params.signal), prev: NaN };
  },
  onBar(ctx) {
    const m = ctx.state.macd.update(ctx.bars.close(0));
    const prev = ctx.state.prev;
    ctx.state.prev = m.histogram;
    if (Number.isNaN(prev) || Number.isNaN(m.histogram)) return;
    if (prev <= 0 && m.histogram > 0) ctx.enterLong();
    else if (prev >= 0 && m.histogram < 0) {
      if (ctx.params.allowShort) ctx.enterShort();
      else ctx.exit();
    }
  },
});
