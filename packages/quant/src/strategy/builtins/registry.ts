import type { StrategyDefinition } from '../define-strategy.js';
import type { ParamSpecs } from '../params.js';
import { bollingerBreakout } from './bollinger-breakout.js';
import { dualMaCross } from './dual-ma-cross.js';
import { grid } from './grid.js';
import { macdCross } from './macd-cross.js';
import { rsiMeanReversion } from './rsi-mean-reversion.js';
import { tripleMa } from './triple-ma.js';

/** The built-in strategies by name, as the CLI and demo look them up. */
export const builtinStrategies: Readonly<Record<string, StrategyDefinition<ParamSpecs, any>>> = Object.freeze({
  [dualMaCross.name]: dualMaCross,
  [tripleMa.name]: tripleMa,
  [rsiMeanReversion.name]: rsiMeanReversion,
  [bollingerBreakout.name]: bollingerBreakout,
  [macdCross.name]: macdCross,
  [grid.name]: grid,
});

/** Looks up a built-in strategy, with an error listing the known names. */
export function getStrategy(name: string): StrategyDefinition<ParamSpecs, any> {
  const s = builtinStrategies[name];
  if (!s) throw new RangeError(`unknown strategy "${name}"; built-in strategies: ${Object.keys(builtinStrategies).join(', ')}`);
  return s;
}
