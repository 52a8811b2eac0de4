import { describe, it } from 'vitest';
import { defineConformanceSuite } from '@xev/core/conformance';
import { backend } from '../src/index.js';

// @xev/core's conformance suite, in both run modes this backend supports (DESIGN.md §3: both modes pass
// the same suite).
for (const mode of ['attached', 'blocking'] as const) {
  defineConformanceSuite({ backend, mode, describe, it });
}
