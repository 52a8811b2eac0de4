import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

// Packing and installing real tarballs (and building an addon from source) takes minutes, not seconds.
export default mergeConfig(sharedTestConfig, defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 600_000 } }));
