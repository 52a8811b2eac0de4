import { defineConformanceSuite } from '@xev/core/conformance';
import { describe, expect, it } from 'vitest';
import { backend } from '../src/index.js';

// Every conformance case, in both run modes. On Linux this runs the emulated build (kqueue on epoll):
// the probe must say so, so that a run here is never mistaken for a run on a real kqueue.
it('the backend under test is kqueue, emulated on Linux and real elsewhere', () => {
  const probe = backend.probe();
  expect(probe.usable).toBe(true);
  const detail = probe.usable ? probe.detail : '';
  if (process.platform === 'linux') expect(detail).toMatch(/^kqueue emulated on epoll \(tests only\)/);
  else expect(detail).toMatch(/^kqueue on /);
});

for (const mode of ['attached', 'blocking'] as const) {
  defineConformanceSuite({ backend, mode, describe, it });
}
