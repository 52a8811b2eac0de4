import type { Options } from 'tsup';

/**
 * Shared build defaults: every package ships ESM (`.js`), CJS (`.cjs`) and declarations behind an
 * `exports` map. A package's own tsup.config.ts spreads this and names its entries.
 */
export function packageBuild(entry: Record<string, string>, extra: Partial<Options> = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    shims: true,
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.js' }),
    ...extra,
  };
}
