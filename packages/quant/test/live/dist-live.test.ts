import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const dist = new URL('../../dist/', import.meta.url);
const built = existsSync(new URL('live.js', dist)) && existsSync(new URL('live.cjs', dist));

describe.skipIf(!built)('@xev/quant/live built entries', () => {
  it('ESM and CJS export the same names, including the documented ones, and the package exports map resolves', async () => {
    const esm = Object.keys(await import(new URL('live.js', dist).href)).sort();
    const cjs = Object.keys(createRequire(import.meta.url)(new URL('live.cjs', dist).pathname)).sort();
    expect(cjs).toEqual(esm);
    for (const name of ['LiveEngine', 'BinanceAdapter', 'HyperliquidAdapter', 'PaperVenue', 'ExchangeSimulator', 'Journal', 'RiskManager', 'OrderBook', 'loadCredentials', 'LatencyHistogram', 'keccak256']) {
      expect(esm).toContain(name);
    }
    expect(Object.keys(await import('@xev/quant/live')).sort()).toEqual(esm);
  });
});
