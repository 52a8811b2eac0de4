import { defineConformanceSuite } from '@xev/core/conformance';
import { describe, it } from 'vitest';
import { backend } from '../src/index.js';

// Every case of @xev/core/conformance, in both run modes this backend supports.
for (const mode of backend.modes) {
  defineConformanceSuite({ backend, mode, describe, it });
}
