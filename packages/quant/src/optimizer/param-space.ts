/**
 * The search space of an optimization: the values each parameter may take (from the strategy's
 * declared ranges, narrowed or replaced per parameter), constraints between parameters, and the two
 * ways to walk it — the full grid in a fixed order, or a seeded random sample. Both produce the
 * candidates in the coordinator, in one order that does not depend on how they are later split among
 * workers, which is what makes results reproducible for any worker count.
 */
import { ParamError, resolveParams, type ParamSpec, type ParamSpecs } from '../strategy/params.js';

/** A parameter set: parameter name → value. */
export type ParamSet = Record<string, number | boolean | string>;

/** How one parameter is searched: an explicit list, or a numeric range with a step. */
export type ParamRange = readonly (number | boolean | string)[] | { min?: number; max?: number; step?: number };

/** A constraint: a predicate over a candidate, or an expression such as `fast < slow` or `mid <= 2 * fast`. */
export type Constraint = ((p: ParamSet) => boolean) | string;

/** The space to search. */
export interface SearchSpace {
  /** Per-parameter overrides of the declared range; parameters absent here are searched over their declaration. */
  ranges?: Record<string, ParamRange>;
  /** Parameters held at one value (not searched). */
  fixed?: Record<string, unknown>;
  /** Candidates failing any constraint are skipped before they reach a worker. */
  constraints?: readonly Constraint[];
}

/** The values of one parameter in grid order. */
export interface Axis {
  /** Parameter name. */
  name: string;
  /** Its values, ascending for numbers, declaration order otherwise. */
  values: readonly (number | boolean | string)[];
}

/** The largest grid the optimizer will enumerate; larger spaces must be sampled (`random`). */
export const MAX_GRID = 50_000_000;

function numericAxis(name: string, spec: ParamSpec & { type: 'int' | 'float' }, r: { min?: number; max?: number; step?: number }): number[] {
  const min = r.min ?? spec.min;
  const max = r.max ?? spec.max;
  // Floats without a declared step get 10 intervals: a grid needs a finite step, and ten is the
  // coarsest split that still shows the shape of a response curve.
  const step = r.step ?? spec.step ?? (spec.type === 'int' ? 1 : (max - min) / 10);
  if (!(min >= spec.min && max <= spec.max && min <= max)) throw new ParamError(`parameter "${name}": range [${min}, ${max}] outside its declared [${spec.min}, ${spec.max}]`);
  if (!(step > 0)) throw new ParamError(`parameter "${name}": step must be > 0, got ${step}`);
  const out: number[] = [];
  // Multiply rather than accumulate so float grids carry no running rounding error.
  for (let k = 0; ; k++) {
    let v = min + k * step;
    if (v > max + step * 1e-9) break;
    v = spec.type === 'int' ? Math.round(v) : +v.toPrecision(12);
    if (v > max) v = max;
    if (out.length === 0 || out[out.length - 1] !== v) out.push(v);
  }
  return out;
}

/** Builds the grid axes of a strategy's parameters under `space` (fixed parameters excluded). */
export function buildAxes(strategy: string, specs: ParamSpecs, space: SearchSpace = {}): Axis[] {
  const fixed = space.fixed ?? {};
  resolveParams(strategy, specs, fixed); // validates names and values of the fixed parameters
  for (const name of Object.keys(space.ranges ?? {})) {
    if (!specs[name]) throw new ParamError(`strategy "${strategy}" has no parameter "${name}"; known parameters: ${Object.keys(specs).join(', ')}`);
    if (name in fixed) throw new ParamError(`parameter "${name}" is both fixed and searched`);
  }
  const axes: Axis[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    if (name in fixed) continue;
    const r = space.ranges?.[name];
    if (Array.isArray(r)) {
      const values = r.map((v) => resolveParams(strategy, specs, { [name]: v })[name] as number | boolean | string);
      axes.push({ name, values: [...new Set(values)] });
    } else if (spec.type === 'int' || spec.type === 'float') {
      axes.push({ name, values: numericAxis(name, spec, (r ?? {}) as { min?: number; max?: number; step?: number }) });
    } else if (r) {
      throw new ParamError(`parameter "${name}" is ${spec.type}: give a list of values, not a range`);
    } else {
      axes.push({ name, values: spec.type === 'bool' ? [false, true] : [...spec.values] });
    }
  }
  return axes;
}

const COMPARE = /^\s*(.+?)\s*(<=|>=|<|>|==|!=)\s*(.+?)\s*$/;

/**
 * Compiles a constraint expression: `a OP b` with OP one of `< <= > >= == !=`, each side a parameter
 * name, a number, or `k * name` / `name + k`. A tiny grammar rather than `eval`, so a config file
 * cannot run code.
 */
export function compileConstraint(expr: string, names: readonly string[]): (p: ParamSet) => boolean {
  const m = COMPARE.exec(expr);
  if (!m) throw new ParamError(`constraint "${expr}": expected "a < b" (operators < <= > >= == !=)`);
  const side = (s: string): ((p: ParamSet) => number) => {
    const t = s.replace(/\s+/g, '');
    const term = /^(-?\d+(?:\.\d+)?)?\*?([A-Za-z_]\w*)?([+-]\d+(?:\.\d+)?)?$/.exec(t);
    if (!term || (!term[1] && !term[2])) throw new ParamError(`constraint "${expr}": cannot read "${s}"`);
    const [, k, name, add] = term;
    if (name && !names.includes(name)) throw new ParamError(`constraint "${expr}": unknown parameter "${name}"`);
    if (!name) return () => Number(k);
    const mul = k === undefined ? 1 : Number(k);
    const plus = add === undefined ? 0 : Number(add);
    return (p) => mul * Number(p[name]) + plus;
  };
  const a = side(m[1]);
  const b = side(m[3]);
  switch (m[2]) {
    case '<': return (p) => a(p) < b(p);
    case '<=': return (p) => a(p) <= b(p);
    case '>': return (p) => a(p) > b(p);
    case '>=': return (p) => a(p) >= b(p);
    case '==': return (p) => a(p) === b(p);
    default: return (p) => a(p) !== b(p);
  }
}

/** A searchable space: axes, fixed values and the compiled constraints. */
export class ParamSpace {
  /** The searched parameters. */
  readonly axes: readonly Axis[];
  /** Values of the parameters not searched (declared defaults unless fixed). */
  readonly base: ParamSet;
  readonly #checks: ((p: ParamSet) => boolean)[];

  /** @param strategy - name, for messages. @param specs - the strategy's declarations. */
  constructor(strategy: string, specs: ParamSpecs, space: SearchSpace = {}) {
    this.axes = buildAxes(strategy, specs, space);
    this.base = resolveParams(strategy, specs, space.fixed ?? {}) as ParamSet;
    const names = Object.keys(specs);
    this.#checks = (space.constraints ?? []).map((c) => (typeof c === 'string' ? compileConstraint(c, names) : c));
  }

  /** Number of grid points before constraints. */
  get gridSize(): number {
    return this.axes.reduce((n, a) => n * a.values.length, 1);
  }

  /** Whether `p` passes every constraint. */
  accepts(p: ParamSet): boolean {
    for (const c of this.#checks) if (!c(p)) return false;
    return true;
  }

  /** The candidate at grid position `k` (mixed radix, last axis fastest). */
  at(k: number): ParamSet {
    const p: ParamSet = { ...this.base };
    for (let a = this.axes.length - 1; a >= 0; a--) {
      const vals = this.axes[a].values;
      p[this.axes[a].name] = vals[k % vals.length];
      k = Math.floor(k / vals.length);
    }
    return p;
  }

  /** Every grid point that passes the constraints, in grid order. */
  grid(): ParamSet[] {
    const n = this.gridSize;
    if (n > MAX_GRID) throw new ParamError(`the grid has ${n} points (more than ${MAX_GRID}); narrow the ranges or use random search`);
    const out: ParamSet[] = [];
    for (let k = 0; k < n; k++) {
      const p = this.at(k);
      if (this.accepts(p)) out.push(p);
    }
    return out;
  }

  /**
   * `count` distinct grid points drawn uniformly with a seeded PRNG (mulberry32) among those passing
   * the constraints, in draw order. Fewer when the space holds fewer valid points.
   */
  random(count: number, seed: number): ParamSet[] {
    const n = this.gridSize;
    const rnd = mulberry32(seed);
    const seen = new Set<number>();
    const out: ParamSet[] = [];
    // Rejection sampling; after enough misses in a row the valid space is deemed exhausted. The bound
    // (50× the request, at least 10 000) is generous enough that a space with ≥ 2 % valid points is
    // never cut short in practice.
    let misses = 0;
    const maxMisses = Math.max(10_000, count * 50);
    while (out.length < count && seen.size < n && misses < maxMisses) {
      const k = Math.floor(rnd() * n);
      if (seen.has(k)) {
        misses++;
        continue;
      }
      seen.add(k);
      const p = this.at(k);
      if (this.accepts(p)) {
        out.push(p);
        misses = 0;
      } else misses++;
    }
    return out;
  }
}

/** Mulberry32: a small, fast seeded PRNG; the same seed gives the same sequence everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
