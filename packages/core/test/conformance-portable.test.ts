import { describe, it } from 'vitest';
import { defineConformanceSuite } from '../src/conformance/index.js';
import { portableBackend } from '../src/index.js';

defineConformanceSuite({ backend: portableBackend, mode: 'attached', describe, it });
