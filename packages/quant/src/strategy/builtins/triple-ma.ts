import { Sma } from '../../indicators/sma.js';
import { defineStrategy } from '../define-strategy.js';

/**
 * Triple moving average: long while fast > mid > slow (a stacked uptrend), flat when the fast average
 * falls below the mid one; short on the mirror stack when `allowShort`.
 */
export const tripleMa = defineStrategy({
  name: 'triple-ma',
  description: 'Three stacked simple moving averages as a trend filter.',
  params: {
    fast: { type: 'int', min: 2, max: 100, default: 5 },
    mid: { type: 'int', min: 3, max: 200, default: 20 },
    slow: { type: 'int', min: 4, max: 400, default: 50 },
    allowShort: { type: 'bool', default: false },
  },
  init({ params }) {
    if (!(params.fast < params.mid && params.mid < params.slow)) {
      throw new RangeError(`triple-ma needs fast < mid < slow, got ${params.fast}, ${params.mid}, ${params.slow}`);
    }
    return { fast: new Sma(params.fast), mid: new Sma(params.mid), slow: new Sma(params.slow) };
  },
  onBar(ctx) {
    const c = ctx.bars.close(0);
    const f = ctx.state.fast.update(c);
    const m = ctx.state.mid.update(c);
    const s = ctx.state.slow.update(c);
    if (Number.isNaN(s)) return;
    const q = ctx.position.qty;
    if (f > m && m > s) ctx.enterLong();
    else if (ctx.params.allowShort && f < m && m < s) ctx.enterShort();
    else if ((q > 0 && f < m) || (q < 0 && f > m)) ctx.exit();
  },
});
