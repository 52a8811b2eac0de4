import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../dist');

it('the ESM and CJS builds export the same names as src/index.ts', async () => {
  const esm = await import(join(dist, 'index.js'));
  const cjs = createRequire(import.meta.url)(join(dist, 'index.cjs')) as Record<string, unknown>;
  const src = await import('../src/index.js');
  const names = (m: object) => Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort();
  expect(names(esm)).toEqual(names(src));
  expect(names(cjs)).toEqual(names(src));
});
