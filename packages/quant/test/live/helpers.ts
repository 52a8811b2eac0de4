/** Shared pieces of the live tests: a scriptable strategy, a simulator + engine rig, and a deadline wait. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Loop } from '@xev/core';
import { defineStrategy } from '../../src/strategy/define-strategy.js';
import type { StrategyContext } from '../../src/strategy/context.js';
import { BinanceAdapter } from '../../src/live/binance/binance-adapter.js';
import { Credentials } from '../../src/live/credentials.js';
import { LiveEngine, type LiveEngineOptions } from '../../src/live/engine.js';
import type { JournalEntry } from '../../src/live/journal.js';
import { ExchangeSimulator } from '../../src/live/simulator/exchange-simulator.js';
import type { VenueAdapter } from '../../src/live/types.js';

/** Per-bar actions the scripted strategy runs, in order (one per closed bar); tests push onto it. */
export const script: ((ctx: StrategyContext<any, any>) => void)[] = [];

/** A strategy whose decisions the test dictates bar by bar. */
export const scripted = defineStrategy({
  name: 'scripted-live',
  params: {},
  init: () => ({}),
  onBar(ctx) {
    script.shift()?.(ctx);
  },
});

/** Polls `cond` until it holds; fails with `what` after `ms` (a deadline, not a timing assertion). */
export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The loop the live tests run on: the detected backend (io_uring, then epoll, then portable), or the one
 * XEV_LIVE_TEST_BACKEND names; the suite passes on io_uring, epoll and portable.
 */
export function newLoop(): Loop {
  const backend = process.env.XEV_LIVE_TEST_BACKEND;
  return backend ? new Loop({ backend }) : new Loop();
}

/** Closes a loop once the sockets closed on it have released their completions. */
export async function closeLoop(loop: Loop): Promise<void> {
  for (let i = 0; i < 200 && loop.activeCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
  loop.close();
}

/** A fresh temp directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'xev-live-'));
}

/** The journal's entries. */
export function journalEntries(path: string): JournalEntry[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalEntry);
}

export const KEY = 'test-api-key-0123456789abcdef';
export const SECRET = 'test-secret-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210';

/** A simulator, a loop and a Binance adapter pointed at the simulator. */
export interface Rig {
  sim: ExchangeSimulator;
  loop: Loop;
  adapter: BinanceAdapter;
  journal: string;
  engine: LiveEngine<any, any>;
  logs: string[];
  close(): Promise<void>;
}

/** Builds a rig; `engine` overrides go to {@link LiveEngine}. */
export async function rig(overrides: Partial<LiveEngineOptions<any, any>> = {}, sim?: ExchangeSimulator): Promise<Rig> {
  const s = sim ?? (await new ExchangeSimulator({ apiKey: KEY, apiSecret: SECRET }).start());
  // The engine needs a price before risk can value an order.
  s.engine.last.set('BTCUSDT', 100);
  const loop = newLoop();
  const adapter = newAdapter(loop, s);
  const journal = overrides.journal ?? join(tempDir(), 'journal.jsonl');
  const logs: string[] = [];
  const engine = new LiveEngine({
    venue: adapter, strategy: scripted, symbol: 'BTCUSDT', journal, fsync: 'never', reconcileRetryMs: 50, log: (l) => logs.push(l), ...overrides,
  });
  return {
    sim: s, loop, adapter, journal, engine, logs,
    async close() {
      await engine.stop();
      if (!sim) await s.stop();
      await closeLoop(loop);
    },
  };
}

/** A Binance adapter on `loop` talking to `sim`, with fast heartbeats and backoff so tests stay short. */
export function newAdapter(loop: Loop, sim: ExchangeSimulator, venue?: Partial<ConstructorParameters<typeof BinanceAdapter>[1]>): BinanceAdapter {
  const a = new BinanceAdapter(loop, {
    restUrl: sim.restUrl, wsUrl: sim.wsUrl, symbols: ['BTCUSDT'], streams: ['trade', 'kline'],
    credentials: new Credentials(KEY, SECRET), heartbeatMs: 200, staleMs: 2000, backoffMs: 20, ...venue,
  });
  // Loopback answers in well under a millisecond; a second means the request is lost (see the report's
  // note on stalled sockets on the native backends), and the engine's reconciliation takes over.
  a.rest.timeoutMs = 1000;
  return a;
}

/** Prints a closed 1m kline at `close` (and the trade behind it); each one makes the strategy run once. */
export function bar(sim: ExchangeSimulator, i: number, close: number): void {
  sim.trade('BTCUSDT', close, 0.5, 1_700_000_000_000 + i * 60_000);
  sim.kline('BTCUSDT', { time: 1_700_000_000_000 + i * 60_000, open: close, high: close, low: close, close, volume: 1 });
}

/** Starts the engine and waits until the simulator has its subscriptions (messages before that are not delivered). */
export async function start(r: Rig): Promise<void> {
  await r.engine.start();
  await until(() => r.sim.subscribers('btcusdt@kline_1m') === 1 && r.sim.subscribers('btcusdt@trade') === 1, 'the subscriptions');
}

/** Prints a trade at 100 and waits until the engine has it as the mark (risk values orders against it). */
export async function warm(r: Rig, price = 100): Promise<void> {
  r.sim.trade('BTCUSDT', price, 0.01);
  await until(() => r.engine.positions.lastPrice('BTCUSDT') === price, 'the first trade');
}

/** Unused-venue helper for type checks. */
export type { VenueAdapter };
