import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const dist = new URL('../dist/', import.meta.url);
const built = existsSync(new URL('index.js', dist)) && existsSync(new URL('index.cjs', dist));

// Runs after `npx tsup` (the package's test command builds first); a bare `vitest run` before any
// build has nothing to compare.
describe.skipIf(!built)('built entries', () => {
  it('ESM and CJS export the same names, and the public surface includes the documented entry points', async () => {
    const esm = Object.keys(await import(new URL('index.js', dist).href)).sort();
    const cjs = Object.keys(createRequire(import.meta.url)(new URL('index.cjs', dist).pathname)).sort();
    expect(cjs).toEqual(esm);
    for (const name of ['OhlcvSeries', 'readOhlcvCsv', 'defineStrategy', 'runBacktest', 'runVectorized', 'computeMetrics', 'renderReport', 'runDemo', 'runCli', 'LookAheadError', 'optimize', 'walkForward', 'ThreadRunner', 'RedisRunner', 'startRedisWorker']) {
      expect(esm).toContain(name);
    }
  });
});
