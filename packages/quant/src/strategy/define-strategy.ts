import type { InitContext, StrategyContext } from './context.js';
import { validateSpecs, type ParamSpecs } from './params.js';

/** A strategy: a name, typed parameters, `init` to build state and `onBar` called after every bar closes. */
export interface StrategyDefinition<P extends ParamSpecs = ParamSpecs, S = unknown> {
  /** Kebab-case name, used by the CLI and in reports. */
  readonly name: string;
  /** One-line summary. */
  readonly description?: string;
  /** Parameter declarations. */
  readonly params: P;
  /** Builds per-run state (indicator instances, counters). Called once per run, before the first bar. */
  init(ctx: InitContext<P>): S;
  /** Called once per bar, after it closes; may submit or cancel orders. */
  onBar(ctx: StrategyContext<P, S>): void;
}

/**
 * Declares a strategy. The parameter declarations are validated here (not at run time) so a bad
 * range fails at import, and the definition is frozen so runs cannot leak state through it.
 */
export function defineStrategy<P extends ParamSpecs, S>(def: StrategyDefinition<P, S>): StrategyDefinition<P, S> {
  if (!def.name || !/^[a-z0-9][a-z0-9-]*$/.test(def.name)) {
    throw new TypeError(`strategy name "${def.name}" must be kebab-case ([a-z0-9-])`);
  }
  validateSpecs(def.name, def.params);
  return Object.freeze({ ...def, params: Object.freeze({ ...def.params }) });
}
