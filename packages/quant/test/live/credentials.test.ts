import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Credentials, loadCredentials } from '../../src/live/credentials.js';
import { BinanceAdapter } from '../../src/live/binance/binance-adapter.js';
import { LiveEngine } from '../../src/live/engine.js';
import { ExchangeSimulator } from '../../src/live/simulator/exchange-simulator.js';
import { closeLoop, KEY, newLoop, scripted, SECRET, tempDir, until } from './helpers.js';

describe('credentials', () => {
  it('come from the environment or a private file, and print redacted everywhere', () => {
    const c = loadCredentials('binance', { XEV_BINANCE_API_KEY: KEY, XEV_BINANCE_API_SECRET: SECRET })!;
    expect(c.key).toBe(KEY);
    for (const shown of [String(c), JSON.stringify({ c }), inspect(c), `${c}`]) {
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain(KEY);
    }
    expect(loadCredentials('binance', {})).toBeNull();
    const file = join(tempDir(), 'creds.json');
    writeFileSync(file, JSON.stringify({ key: KEY, secret: SECRET }));
    chmodSync(file, 0o644);
    expect(() => loadCredentials('binance', { XEV_BINANCE_CREDENTIALS: file })).toThrow(/readable by other users/);
    chmodSync(file, 0o600);
    expect(loadCredentials('binance', { XEV_BINANCE_CREDENTIALS: file })!.secret).toBe(SECRET);
    writeFileSync(file, `{"key": "${KEY}", "secret": "${SECRET}"`); // broken JSON quoting the secret
    expect(() => loadCredentials('binance', {}, file)).toThrow(/is not valid JSON$/);
    try {
      loadCredentials('binance', {}, file);
    } catch (e) {
      expect(String((e as Error).message)).not.toContain(SECRET);
    }
    expect(() => new Credentials('', 'x')).toThrow(/both/);
  });

  describe('never appear in logs, errors, problems or the journal', () => {
    let stop: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await stop?.();
      stop = undefined;
    });

    it('a wrong secret (every signed request refused) and a wrong key (no user stream)', async () => {
      const sim = await new ExchangeSimulator({ apiKey: KEY, apiSecret: 'the-real-secret' }).start();
      sim.engine.last.set('BTCUSDT', 100);
      const loop = newLoop();
      const wrongSecret = 'WRONG-secret-0000111122223333444455556666';
      const logs: string[] = [];
      const journal = join(tempDir(), 'j.jsonl');
      const venue = new BinanceAdapter(loop, { restUrl: sim.restUrl, wsUrl: sim.wsUrl, symbols: ['BTCUSDT'], credentials: new Credentials(KEY, wrongSecret), backoffMs: 10 });
      const engine = new LiveEngine({ venue, strategy: scripted, symbol: 'BTCUSDT', journal, fsync: 'never', log: (l) => logs.push(l), reconcileRetryMs: 1_000_000 });
      stop = async () => {
        await engine.stop();
        await sim.stop();
        await closeLoop(loop);
      };
      await engine.start();
      sim.trade('BTCUSDT', 100, 1);
      await until(() => engine.positions.lastPrice('BTCUSDT') === 100, 'a mark');
      engine.submit('buy', 'market', 0.1);
      await until(() => engine.orders.get('xev-1')?.state === 'rejected', 'the refusal');
      expect(engine.orders.get('xev-1')!.reason).toMatch(/Signature for this request is not valid/);
      expect(sim.stats.signatureFailures).toBeGreaterThan(0);

      const badKey = new BinanceAdapter(loop, { restUrl: sim.restUrl, wsUrl: sim.wsUrl, symbols: ['BTCUSDT'], credentials: new Credentials('wrong-key-9876543210', SECRET), backoffMs: 1 });
      const problems: Error[] = [];
      const failed = await badKey.start({ market() {}, order() {}, connected() {}, problem: (e) => problems.push(e) }).then(() => null, (e: Error) => e);
      await badKey.stop();
      expect(failed?.message).toMatch(/Invalid API-key/);

      const everything = [
        ...logs, ...engine.problems.map((e) => `${e.message}\n${e.stack}`), ...problems.map((e) => `${e.message}\n${e.stack}`),
        `${failed?.message}\n${failed?.stack}`, readFileSync(journal, 'utf8'), inspect(venue, { depth: 5 }), inspect(engine, { depth: 3 }),
      ].join('\n');
      for (const s of [KEY, wrongSecret, SECRET, 'wrong-key-9876543210']) expect(everything).not.toContain(s);
    });
  });
});
