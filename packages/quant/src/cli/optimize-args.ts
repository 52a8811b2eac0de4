/**
 * Arguments of `xev-quant optimize`, `xev-quant walkforward` and `xev-quant worker`: parsed into the
 * optimizer's own option types, so the CLI adds no semantics of its own.
 */
import type { ParamRange } from '../optimizer/param-space.js';
import { ConfigError } from './config.js';

/** Usage text of the optimizer commands. */
export const OPTIMIZE_USAGE = `usage: xev-quant optimize --data FILE --strategy NAME [search options] [run options]
       xev-quant walkforward --data FILE --strategy NAME --in-sample BARS --out-of-sample BARS
                             [--step BARS] [--anchored] [search options] [run options]
       xev-quant worker --redis URL [--queue NAME] [--threads N] [--lock-ms MS]

search options:
  --range name=min:max[:step]   search a numeric parameter over a range (default: its declared range)
  --range name=v1,v2,...        search a parameter over listed values
  --param k=v                   hold a parameter fixed
  --constraint "fast < slow"    skip candidates that fail (repeatable; < <= > >= == !=, k*name, name+k)
  --search grid|random          (default grid)   --samples N (random, default 1000)   --seed S (default 1)
  --objective METRIC            metric to maximize; -METRIC minimizes (default sharpe)
  --top N                       results to keep (default 10)
  --engine auto|event           auto uses a strategy's vectorized form (default auto)
run options:
  --workers N                   worker threads (default: available parallelism)
  --redis URL                   hand the jobs to BullMQ workers on Redis instead of local threads
  --queue NAME                  BullMQ queue (default xev-quant-optimize)   --batch N   candidates per job
  --config FILE  --timeframe TF  --calendar crypto|equities  --gaps error|allow
  --json  --report out.html  --progress auto|always|never (auto: a bar on a terminal only)`;

/** Parsed optimizer-command arguments. */
export interface OptimizeArgs {
  /** CSV file. */
  data?: string;
  /** Strategy name. */
  strategy?: string;
  /** JSON config file (data, params, calendar, csv, backtest). */
  config?: string;
  /** Bar timeframe override. */
  timeframe?: string;
  /** Calendar for annualizing. */
  calendar?: string;
  /** CSV gap policy. */
  gaps?: string;
  /** Fixed parameters (`--param k=v`). */
  params: Record<string, string>;
  /** Searched ranges (`--range`). */
  ranges: Record<string, ParamRange>;
  /** Constraint expressions. */
  constraints: string[];
  /** Search method. */
  search: 'grid' | 'random';
  /** Random draws. */
  samples: number;
  /** Random seed. */
  seed: number;
  /** Metric to maximize (`-name` minimizes). */
  objective: string;
  /** Results to keep. */
  top: number;
  /** Evaluation engine. */
  engine: 'auto' | 'event';
  /** Worker threads. */
  workers?: number;
  /** Redis URL: run on BullMQ workers. */
  redis?: string;
  /** BullMQ queue name. */
  queue?: string;
  /** Candidates per task or job. */
  batch?: number;
  /** Print JSON. */
  json: boolean;
  /** HTML report path. */
  report?: string;
  /** Progress display. */
  progress: 'auto' | 'always' | 'never';
  /** Walk-forward in-sample bars. */
  inSample?: number;
  /** Walk-forward out-of-sample bars. */
  outOfSample?: number;
  /** Walk-forward step, bars. */
  step?: number;
  /** Anchored walk-forward windows. */
  anchored: boolean;
  /** Worker command: threads. */
  threads?: number;
  /** Worker command: job lock duration, ms. */
  lockMs?: number;
}

const VALUE_FLAGS = new Set([
  '--data', '--strategy', '--config', '--timeframe', '--calendar', '--gaps', '--param', '--range', '--constraint', '--search',
  '--samples', '--seed', '--objective', '--top', '--engine', '--workers', '--redis', '--queue', '--batch', '--report', '--progress',
  '--in-sample', '--out-of-sample', '--step', '--threads', '--lock-ms',
]);

function positiveInt(flag: string, v: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${flag} expects an integer ≥ ${min}, got "${v}"`);
  return n;
}

/** Parses `name=min:max[:step]` or `name=v1,v2,…` (numbers where they parse, else booleans or strings). */
export function parseRange(text: string): [string, ParamRange] {
  const i = text.indexOf('=');
  if (i <= 0) throw new ConfigError(`--range expects name=min:max[:step] or name=v1,v2,..., got "${text}"`);
  const name = text.slice(0, i);
  const spec = text.slice(i + 1);
  if (spec.includes(':')) {
    const parts = spec.split(':').map(Number);
    if (parts.length < 2 || parts.length > 3 || parts.some((x) => !Number.isFinite(x))) throw new ConfigError(`--range ${name}: expected min:max[:step], got "${spec}"`);
    return [name, { min: parts[0], max: parts[1], ...(parts.length === 3 ? { step: parts[2] } : {}) }];
  }
  const values = spec.split(',').filter((s) => s !== '').map((s) => (s === 'true' ? true : s === 'false' ? false : Number.isFinite(Number(s)) ? Number(s) : s));
  if (values.length === 0) throw new ConfigError(`--range ${name}: no values`);
  return [name, values];
}

/** Parses the arguments after `optimize`, `walkforward` or `worker`. */
export function parseOptimizeArgs(argv: readonly string[]): OptimizeArgs {
  const out: OptimizeArgs = {
    params: {}, ranges: {}, constraints: [], search: 'grid', samples: 1000, seed: 1, objective: 'sharpe', top: 10,
    engine: 'auto', json: false, progress: 'auto', anchored: false,
  };
  for (let k = 0; k < argv.length; k++) {
    let flag = argv[k];
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (flag === '--json' || flag === '--anchored') {
      out[flag === '--json' ? 'json' : 'anchored'] = true;
      continue;
    }
    if (!VALUE_FLAGS.has(flag)) throw new ConfigError(`unknown argument "${argv[k]}"\n${OPTIMIZE_USAGE}`);
    if (value === undefined) {
      value = argv[++k];
      // A value may start with "-" (an objective to minimize) but not with "--".
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`${flag} needs a value`);
    }
    switch (flag) {
      case '--param': {
        const i = value.indexOf('=');
        if (i <= 0) throw new ConfigError(`--param expects k=v, got "${value}"`);
        out.params[value.slice(0, i)] = value.slice(i + 1);
        break;
      }
      case '--range': {
        const [name, r] = parseRange(value);
        out.ranges[name] = r;
        break;
      }
      case '--constraint': out.constraints.push(value); break;
      case '--search':
        if (value !== 'grid' && value !== 'random') throw new ConfigError(`--search expects grid or random, got "${value}"`);
        out.search = value;
        break;
      case '--engine':
        if (value !== 'auto' && value !== 'event') throw new ConfigError(`--engine expects auto or event, got "${value}"`);
        out.engine = value;
        break;
      case '--progress':
        if (value !== 'auto' && value !== 'always' && value !== 'never') throw new ConfigError(`--progress expects auto, always or never, got "${value}"`);
        out.progress = value;
        break;
      case '--samples': out.samples = positiveInt(flag, value); break;
      case '--seed': out.seed = positiveInt(flag, value, 0); break;
      case '--top': out.top = positiveInt(flag, value); break;
      case '--workers': out.workers = positiveInt(flag, value); break;
      case '--batch': out.batch = positiveInt(flag, value); break;
      case '--in-sample': out.inSample = positiveInt(flag, value, 2); break;
      case '--out-of-sample': out.outOfSample = positiveInt(flag, value, 2); break;
      case '--step': out.step = positiveInt(flag, value); break;
      case '--threads': out.threads = positiveInt(flag, value); break;
      case '--lock-ms': out.lockMs = positiveInt(flag, value, 100); break;
      case '--objective': out.objective = value; break;
      default: {
        const key = flag.slice(2) as 'data' | 'strategy' | 'config' | 'timeframe' | 'calendar' | 'gaps' | 'redis' | 'queue' | 'report';
        out[key] = value;
      }
    }
  }
  return out;
}
