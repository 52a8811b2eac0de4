import { defineConfig } from 'vitest/config';

/** Shared vitest defaults: real sockets, processes and files make some cases slow, never flaky. */
export const sharedTestConfig = defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
