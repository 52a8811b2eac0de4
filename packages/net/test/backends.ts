import { report } from '@xev/core';

/**
 * The backends this machine can run, each with the modes it supports: every test runs on each, so a
 * backend bug shows up under its own name. `XEV_TEST_BACKENDS=portable,epoll` narrows the list.
 */
export function usableBackends(): { name: string; modes: readonly string[] }[] {
  const only = process.env.XEV_TEST_BACKENDS?.split(',');
  return report()
    .candidates.filter((c) => c.status === 'usable' && (!only || only.includes(c.name)))
    .map((c) => ({ name: c.name, modes: c.modes }));
}

/**
 * Backend bugs found by these tests, each pinned by a conformance case in `@xev/core/conformance` and
 * reported to the backend's owner. A test that trips one is skipped on that backend only, so the rest of
 * the suite stays meaningful; `XEV_STRICT=1` runs them anyway.
 */
const knownBugs: Record<string, string> = {
  'epoll/attached/eof-after-rearm':
    "epoll (attached): a recv re-added from its own callback never gets EOF after the peer's shutdown (conformance: 'a recv re-added from its own callback gets EOF…')",
};

/** The reason to skip on `backend`/`mode` for bug `id`, or undefined (always undefined with XEV_STRICT=1). */
export function knownBug(backend: string, mode: string, id: string): string | undefined {
  if (process.env.XEV_STRICT === '1') return undefined;
  return knownBugs[`${backend}/${mode}/${id}`];
}
