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

