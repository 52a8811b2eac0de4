import { crossTargets } from '../../backtest/vectorized.js';
import { ema, Ema } from '../../indicators/ema.js';
import { sma, Sma } from '../../indicators/sma.js';
import { defineStrategy } from '../define-strategy.js';

/**
 * Dual moving-average cross: long when the fast average crosses above the slow one; on the cross
 * below, exit (or reverse to short when `allowShort`). Signals use closed bars only.
 */
export const dualMaCross = defineStrategy({
  name: 'dual-ma-cross',
  description: 'Fast/slow moving-average crossover, long-only or long/short.',
  params: {
    fast: { type: 'int', min: 2, max: 200, default: 10, description: 'fast average period' },
    slow: { type: 'int', min: 3, max: 500, default: 30, description: 'slow average period' },
    kind: { type: 'enum', values: ['sma', 'ema'] as const, default: 'sma', description: 'average type' },
    allowShort: { type: 'bool', default: false, description: 'reverse to short on the down-cross' },
    fraction: { type: 'float', min: 0.01, max: 1, default: 1, description: 'fraction of equity per entry' },
  },
  init({ params }) {
    if (params.fast >= params.slow) throw new RangeError(`dual-ma-cross needs fast < slow, got ${params.fast} ≥ ${params.slow}`);
    const make = (p: number) => (params.kind === 'ema' ? new Ema(p) : new Sma(p));
    return { fast: make(params.fast), slow: make(params.slow), prevDiff: NaN };
  },
  onBar(ctx) {
    const s = ctx.state;
    const c = ctx.bars.close(0);
    const diff = s.fast.update(c) - s.slow.update(c);
    const prev = s.prevDiff;
    s.prevDiff = diff;
    if (!(prev === prev) || !(diff === diff)) return; // NaN during warm-up
    if (prev <= 0 && diff > 0) ctx.enterLong({ size: { fraction: ctx.params.fraction } });
    else if (prev >= 0 && diff < 0) {
      if (ctx.params.allowShort) ctx.enterShort({ size: { fraction: ctx.params.fraction } });
      else ctx.exit();
    }
  },
  vectorized(series, params, scratch) {
    if (params.fast >= params.slow) throw new RangeError(`dual-ma-cross needs fast < slow, got ${params.fast} ≥ ${params.slow}`);
    // The batch averages agree with the streaming ones bit for bit, so the crosses are the same bars.
    const avg = (p: number) => {
      const key = `${params.kind}:${p}`;
      let a = scratch.cache.get(key);
      if (!a) scratch.cache.set(key, (a = params.kind === 'ema' ? ema(series.close, p) : sma(series.close, p)));
      return a;
    };
    return { target: crossTargets(avg(params.fast), avg(params.slow), params.allowShort, scratch.target), size: { fraction: params.fraction } };
  },
});
