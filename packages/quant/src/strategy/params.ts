/**
 * Strategy parameter declarations. Each parameter has a type and, for numbers, an inclusive range, so
 * an optimizer can enumerate or sample the space and a CLI can validate `--param k=v` input.
 */

/** An integer parameter. */
export interface IntParam {
  /** Discriminant. */
  type: 'int';
  /** Smallest allowed value. */
  min: number;
  /** Largest allowed value. */
  max: number;
  /** Value used when none is given. */
  default: number;
  /** Grid step for optimizers (default 1). */
  step?: number;
  /** Help text for CLIs and reports. */
  description?: string;
}

/** A real-valued parameter. */
export interface FloatParam {
  /** Discriminant. */
  type: 'float';
  /** Smallest allowed value. */
  min: number;
  /** Largest allowed value. */
  max: number;
  /** Value used when none is given. */
  default: number;
  /** Grid step for optimizers. */
  step?: number;
  /** Help text for CLIs and reports. */
  description?: string;
}

/** A boolean parameter. */
export interface BoolParam {
  /** Discriminant. */
  type: 'bool';
  /** Value used when none is given. */
  default: boolean;
  /** Help text for CLIs and reports. */
  description?: string;
}

/** One of a fixed set of strings. */
export interface EnumParam<V extends string = string> {
  /** Discriminant. */
  type: 'enum';
  /** Allowed values. */
  values: readonly V[];
  /** Value used when none is given. */
  default: V;
  /** Help text for CLIs and reports. */
  description?: string;
}

/** Any parameter declaration. */
export type ParamSpec = IntParam | FloatParam | BoolParam | EnumParam;

/** A strategy's parameter declarations by name. */
export type ParamSpecs = Record<string, ParamSpec>;

/** The resolved value type of each declared parameter. */
export type ParamValues<P extends ParamSpecs> = {
  [K in keyof P]: P[K] extends BoolParam ? boolean : P[K] extends EnumParam<infer V> ? V : number;
};

/** Thrown for an unknown parameter name or a value of the wrong type or out of range. */
export class ParamError extends Error {
  /** @param message - names the strategy, the parameter and what was expected. */
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

/** Checks the declarations themselves (min ≤ default ≤ max, integer bounds for ints, default among enum values). */
export function validateSpecs(strategy: string, specs: ParamSpecs): void {
  for (const [name, s] of Object.entries(specs)) {
    const where = `strategy "${strategy}" parameter "${name}"`;
    if (s.type === 'int' || s.type === 'float') {
      if (!(s.min <= s.default && s.default <= s.max)) throw new ParamError(`${where}: default ${s.default} outside [${s.min}, ${s.max}]`);
      if (s.type === 'int' && ![s.min, s.max, s.default].every(Number.isInteger)) throw new ParamError(`${where}: int bounds and default must be integers`);
    } else if (s.type === 'enum' && !s.values.includes(s.default)) {
      throw new ParamError(`${where}: default "${s.default}" is not one of ${s.values.join(', ')}`);
    }
  }
}

function coerce(strategy: string, name: string, spec: ParamSpec, raw: unknown): number | boolean | string {
  const where = `strategy "${strategy}" parameter "${name}"`;
  switch (spec.type) {
    case 'int':
    case 'float': {
      const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ParamError(`${where}: expected a number, got ${JSON.stringify(raw)}`);
      if (spec.type === 'int' && !Number.isInteger(v)) throw new ParamError(`${where}: expected an integer, got ${v}`);
      if (v < spec.min || v > spec.max) throw new ParamError(`${where}: ${v} is outside [${spec.min}, ${spec.max}]`);
      return v;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new ParamError(`${where}: expected true or false, got ${JSON.stringify(raw)}`);
    }
    case 'enum': {
      if (typeof raw === 'string' && spec.values.includes(raw)) return raw;
      throw new ParamError(`${where}: expected one of ${spec.values.join(', ')}, got ${JSON.stringify(raw)}`);
    }
  }
}

/**
 * Resolves parameter values: defaults overridden by `overrides` (numbers may arrive as strings from a
 * command line). Unknown names are an error listing the known ones.
 */
export function resolveParams<P extends ParamSpecs>(strategy: string, specs: P, overrides: Record<string, unknown> = {}): ParamValues<P> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = spec.default;
  for (const [name, raw] of Object.entries(overrides)) {
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs);
      throw new ParamError(`strategy "${strategy}" has no parameter "${name}"; known parameters: ${known.length ? known.join(', ') : '(none)'}`);
    }
    out[name] = coerce(strategy, name, spec, raw);
  }
  return out as ParamValues<P>;
}
