/**
 * `xev-quant paper` and `xev-quant live`: the live engine from the command line. `paper --sim FILE`
 * replays a CSV through the exchange simulator on loopback and paper-trades it; `paper` without
 * `--sim` paper-trades Binance's public market data. `live` trades for real and refuses to start
 * without credentials (from the environment or a file — never from arguments).
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { Loop } from '@xev/core';
import { readOhlcvCsv } from '../data/csv-reader.js';
import { getStrategy } from '../strategy/builtins/registry.js';
import { BinanceAdapter } from '../live/binance/binance-adapter.js';
import { loadCredentials } from '../live/credentials.js';
import { LiveEngine } from '../live/engine.js';
import type { RiskLimits } from '../live/risk-manager.js';
import { ExchangeSimulator } from '../live/simulator/exchange-simulator.js';
import type { VenueAdapter } from '../live/types.js';
import { PaperVenue } from '../live/venue/paper-venue.js';
import type { CliIo } from './command.js';
import { ConfigError } from './config.js';

/** Usage of the two commands. */
export const LIVE_USAGE = `       xev-quant paper --strategy NAME [--param k=v ...] [--symbol BTCUSDT] [--sim FILE.csv [--every-ms N]]
                       [--journal FILE] [--fee-bps N] [--slippage-bps N] [--capital N] [--max-position N] [--json]
       xev-quant live  --venue binance|hyperliquid --strategy NAME [--param k=v ...] [--symbol BTCUSDT]
                       [--journal FILE] [--max-order-notional N] [--max-position N] [--max-daily-loss N]
                       credentials: XEV_<VENUE>_API_KEY + XEV_<VENUE>_API_SECRET, or XEV_<VENUE>_CREDENTIALS=file.json (mode 600)`;

interface LiveArgs {
  flags: Map<string, string>;
  params: Record<string, string>;
  json: boolean;
}

const VALUE = new Set(['--strategy', '--param', '--symbol', '--sim', '--every-ms', '--journal', '--fee-bps', '--slippage-bps', '--capital',
  '--max-position', '--venue', '--max-order-notional', '--max-daily-loss', '--rest-url', '--ws-url', '--credentials']);

function parse(argv: readonly string[]): LiveArgs {
  const out: LiveArgs = { flags: new Map(), params: {}, json: false };
  for (let k = 0; k < argv.length; k++) {
    let flag = argv[k];
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) [flag, value] = [flag.slice(0, eq), flag.slice(eq + 1)];
    if (flag === '--json') {
      out.json = true;
      continue;
    }
    if (flag === '--api-key' || flag === '--api-secret' || flag === '--secret') {
      // Arguments show up in `ps` and shell history: refuse without echoing the value.
      throw new ConfigError(`${flag} is not accepted: credentials come from the environment or a file (see xev-quant --help)`);
    }
    if (!VALUE.has(flag)) throw new ConfigError(`unknown argument "${flag}"\n${LIVE_USAGE}`);
    value ??= argv[++k];
    if (value === undefined || value.startsWith('--')) throw new ConfigError(`${flag} needs a value`);
    if (flag === '--param') {
      const i = value.indexOf('=');
      if (i <= 0) throw new ConfigError(`--param expects k=v, got "${value}"`);
      out.params[value.slice(0, i)] = value.slice(i + 1);
    } else out.flags.set(flag.slice(2), value);
  }
  return out;
}

function number(a: LiveArgs, k: string): number | undefined {
  const v = a.flags.get(k);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ConfigError(`--${k} must be a number, got "${v}"`);
  return n;
}

function riskOf(a: LiveArgs): RiskLimits {
  return { maxOrderNotional: number(a, 'max-order-notional'), maxPosition: number(a, 'max-position'), maxDailyLoss: number(a, 'max-daily-loss') };
}

async function runEngine(io: CliIo, a: LiveArgs, venue: VenueAdapter, loop: Loop, until: Promise<unknown>, sim?: ExchangeSimulator): Promise<number> {
  const strategyName = a.flags.get('strategy');
  if (!strategyName) throw new ConfigError(`missing --strategy\n${LIVE_USAGE}`);
  const symbol = a.flags.get('symbol') ?? 'BTCUSDT';
  const journal = a.flags.get('journal') ?? join(mkdtempSync(join(tmpdir(), 'xev-quant-')), 'journal.jsonl');
  const engine = new LiveEngine({
    venue, strategy: getStrategy(strategyName), params: a.params, symbol, journal, risk: riskOf(a), capital: number(a, 'capital'),
    log: a.json ? undefined : (l) => io.err(l),
  });
  await engine.start();
  if (!a.json) io.out(`${venue.name}: ${strategyName} on ${symbol}; journal ${journal}`);
  await until;
  await engine.idle();
  const p = engine.positions.get(symbol);
  const summary = {
    venue: venue.name, strategy: strategyName, symbol, journal, bars: engine.stats.bars, orders: engine.stats.ordersSent,
    filled: engine.orders.all().filter((o) => o.state === 'filled').length, riskRejections: engine.stats.riskRejections,
    position: p.qty, realized: p.realized, fees: p.fees, pnl: engine.positions.totalPnl(), state: engine.state, problems: engine.stats.problems,
  };
  await engine.stop();
  await sim?.stop();
  for (let i = 0; i < 200 && loop.activeCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
  loop.close();
  if (a.json) io.out(JSON.stringify(summary));
  else io.out(Object.entries(summary).map(([k, v]) => `${k.padEnd(15)} ${typeof v === 'number' ? Number(v.toFixed(6)) : v}`).join('\n'));
  return 0;
}

function stopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((r) => (signal?.aborted ? r() : signal?.addEventListener('abort', () => r(), { once: true })));
}

async function paper(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parse(argv);
  const loop = new Loop();
  const symbol = a.flags.get('symbol') ?? 'BTCUSDT';
  const fees = (number(a, 'fee-bps') ?? 0) / 10_000;
  const csv = a.flags.get('sim');
  let sim: ExchangeSimulator | undefined;
  let until: Promise<unknown>;
  let source: BinanceAdapter;
  if (csv) {
    const { series } = await readOhlcvCsv(csv);
    sim = await new ExchangeSimulator({ symbols: { [symbol]: { base: symbol.slice(0, -4), quote: symbol.slice(-4) } } }).start();
    source = new BinanceAdapter(loop, { restUrl: sim.restUrl, wsUrl: sim.wsUrl, symbols: [symbol], streams: ['trade', 'kline'], credentials: null });
    const s = sim;
    // The replay starts once the engine is subscribed (runEngine awaits start() before awaiting this).
    until = (async () => {
      while (s.subscribers(`${symbol.toLowerCase()}@kline_1m`) === 0) await new Promise((r) => setTimeout(r, 5));
      return s.replay(symbol, series, { everyMs: number(a, 'every-ms') ?? 0, signal: io.signal });
    })();
  } else {
    source = new BinanceAdapter(loop, { restUrl: a.flags.get('rest-url'), wsUrl: a.flags.get('ws-url'), symbols: [symbol], streams: ['trade', 'kline'], credentials: null });
    until = stopped(io.signal);
  }
  const venue = new PaperVenue(source, { fees: { taker: fees, maker: fees }, slippageBps: number(a, 'slippage-bps') ?? 0 });
  return runEngine(io, a, venue, loop, until, sim);
}

async function live(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parse(argv);
  const venueName = a.flags.get('venue');
  if (venueName !== 'binance' && venueName !== 'hyperliquid') throw new ConfigError(`--venue must be binance or hyperliquid\n${LIVE_USAGE}`);
  const creds = loadCredentials(venueName, process.env, a.flags.get('credentials'));
  if (!creds) {
    throw new ConfigError(`live trading on ${venueName} needs credentials: set XEV_${venueName.toUpperCase()}_API_KEY and XEV_${venueName.toUpperCase()}_API_SECRET, ` +
      `or XEV_${venueName.toUpperCase()}_CREDENTIALS=/path/to/file.json (mode 600, {"key": …, "secret": …}); refusing to start`);
  }
  if (venueName === 'hyperliquid') {
    throw new ConfigError('live trading on hyperliquid is not available yet: its order actions need EIP-712 signing over secp256k1 with keccak-256, which is not implemented; use paper trading');
  }
  const loop = new Loop();
  const symbol = a.flags.get('symbol') ?? 'BTCUSDT';
  const venue = new BinanceAdapter(loop, { restUrl: a.flags.get('rest-url'), wsUrl: a.flags.get('ws-url'), symbols: [symbol], streams: ['trade', 'kline'], credentials: creds });
  return runEngine(io, a, venue, loop, stopped(io.signal));
}

/** The `paper` and `live` commands, or undefined for any other command. */
export function liveCommand(cmd: string, argv: readonly string[], io: CliIo): Promise<number> | undefined {
  if (cmd === 'paper') return paper(argv, io);
  if (cmd === 'live') return live(argv, io);
  return undefined;
}
