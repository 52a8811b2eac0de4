import { ConfigError } from './config.js';

/** Parsed `xev-quant backtest` arguments. */
export interface BacktestArgs {
  data?: string;
  strategy?: string;
  params: Record<string, string>;
  config?: string;
  json: boolean;
  trades?: string;
  report?: string;
  timeframe?: string;
  calendar?: string;
  gaps?: string;
}

/** Usage text printed by `--help` and after usage errors. */
export const USAGE = `usage: xev-quant backtest --data FILE --strategy NAME [--param k=v ...] [--config FILE]
                          [--timeframe TF] [--calendar crypto|equities] [--gaps error|allow]
                          [--json] [--trades out.csv] [--report out.html]
       xev-quant strategies      list built-in strategies and their parameters

Command-line values override the JSON config file.`;

const VALUE_FLAGS = new Set(['--data', '--strategy', '--param', '--config', '--trades', '--report', '--timeframe', '--calendar', '--gaps']);

/** Parses the arguments after `backtest`; `--flag=value` and `--flag value` are both accepted. */
export function parseBacktestArgs(argv: readonly string[]): BacktestArgs {
  const out: BacktestArgs = { params: {}, json: false };
  for (let k = 0; k < argv.length; k++) {
    let flag = argv[k];
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (flag === '--json') {
      out.json = true;
      continue;
    }
    if (!VALUE_FLAGS.has(flag)) throw new ConfigError(`unknown argument "${argv[k]}"\n${USAGE}`);
    if (value === undefined) {
      value = argv[++k];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`${flag} needs a value`);
    }
    if (flag === '--param') {
      const i = value.indexOf('=');
      if (i <= 0) throw new ConfigError(`--param expects k=v, got "${value}"`);
      out.params[value.slice(0, i)] = value.slice(i + 1);
    } else {
      const key = flag.slice(2) as 'data' | 'strategy' | 'config' | 'trades' | 'report' | 'timeframe' | 'calendar' | 'gaps';
      out[key] = value;
    }
  }
  return out;
}
