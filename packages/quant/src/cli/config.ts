import { readFile } from 'node:fs/promises';
import type { BacktestOptions } from '../backtest/types.js';
import type { CsvReadOptions } from '../data/csv-reader.js';
import type { Calendar } from '../metrics/periods.js';

/** Thrown for invalid command-line input or configuration; the CLI prints it without a stack. */
export class ConfigError extends Error {
  /** @param message - names the offending key path and what was expected. */
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A fully validated run configuration (the JSON config file's shape). */
export interface RunConfig {
  /** CSV file. */
  data: string;
  /** Built-in strategy name. */
  strategy: string;
  /** Strategy parameters. */
  params: Record<string, unknown>;
  /** Bar timeframe; inferred from the data when omitted. */
  timeframe?: string;
  /** Calendar for annualizing. */
  calendar: Calendar;
  /** Explicit bars per year. */
  periodsPerYear?: number;
  /** CSV ingest options. */
  csv: Pick<CsvReadOptions, 'format' | 'gaps' | 'epochUnit'>;
  /** Backtest options. */
  backtest: BacktestOptions;
}

type Check = (v: unknown, path: string) => unknown;

const fail = (path: string, what: string, v: unknown): never => {
  throw new ConfigError(`${path}: expected ${what}, got ${JSON.stringify(v)}`);
};
const str: Check = (v, p) => (typeof v === 'string' && v !== '' ? v : fail(p, 'a non-empty string', v));
const bool: Check = (v, p) => (typeof v === 'boolean' ? v : fail(p, 'true or false', v));
const numIn = (lo: number, hi: number, open = false): Check => (v, p) =>
  typeof v === 'number' && Number.isFinite(v) && (open ? v > lo : v >= lo) && v <= hi ? v : fail(p, `a number in ${open ? '(' : '['}${lo}, ${hi}]`, v);
const oneOf = (...values: string[]): Check => (v, p) => (typeof v === 'string' && values.includes(v) ? v : fail(p, `one of ${values.join(', ')}`, v));
const record: Check = (v, p) => (v && typeof v === 'object' && !Array.isArray(v) ? v : fail(p, 'an object', v));

function object(shape: Record<string, Check>): Check {
  return (v, p) => {
    const o = record(v, p) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(o)) {
      const check = shape[k];
      if (!check) throw new ConfigError(`${p}.${k}: unknown key; expected one of ${Object.keys(shape).join(', ')}`);
      out[k] = check(val, `${p}.${k}`);
    }
    return out;
  };
}

const size: Check = (v, p) => {
  const o = record(v, p) as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 1 || (keys[0] !== 'qty' && keys[0] !== 'fraction')) return fail(p, '{"qty": n} or {"fraction": f}', v);
  return keys[0] === 'qty' ? { qty: numIn(0, Number.MAX_VALUE, true)(o.qty, `${p}.qty`) } : { fraction: numIn(0, 100, true)(o.fraction, `${p}.fraction`) };
};

const SCHEMA = object({
  /** CSV file. */
  data: str,
  /** Built-in strategy name. */
  strategy: str,
  /** Strategy parameters. */
  params: (v, p) => record(v, p),
  timeframe: str,
  /** Calendar for annualizing. */
  calendar: oneOf('crypto', 'equities'),
  /** Explicit bars per year. */
  periodsPerYear: numIn(0, 1e9, true),
  /** CSV ingest options. */
  csv: object({ format: oneOf('auto', 'generic', 'binance'), gaps: oneOf('error', 'allow'), epochUnit: oneOf('s', 'ms', 'us') }),
  /** Backtest options. */
  backtest: object({
    initialCash: numIn(0, 1e15, true),
    fees: object({ maker: numIn(0, 0.1), taker: numIn(0, 0.1), fixed: numIn(0, 1e9) }),
    slippageBps: numIn(0, 1000),
    fillAt: oneOf('next-open', 'close'),
    defaultSize: size,
    maxLeverage: numIn(0, 100, true),
    shortMarginRate: numIn(0, 10, true),
    closeAtEnd: bool,
  }),
});

/**
 * Validates a parsed JSON config (shape above): every unknown key and every bad value is an error
 * naming its path, e.g. `config.backtest.fees.taker: expected a number in [0, 0.1], got 5`.
 */
export function validateConfig(raw: unknown): Partial<RunConfig> {
  return SCHEMA(raw, 'config') as Partial<RunConfig>;
}

/** Reads and validates a JSON config file; errors name the file. */
export async function loadConfig(path: string): Promise<Partial<RunConfig>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config ${path} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return validateConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${path}: ${e.message}`);
    throw e;
  }
}
