import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What one garbage-in fuzz run reports. */
export interface FuzzSummary {
  readonly mode: 'blocking' | 'attached';
  /** Completions the backend reported; every staged slot completed exactly as often as it was staged. */
  readonly completions: number;
  readonly [key: string]: unknown;
}

/**
 * Runs `@xev/core`'s garbage-in fuzz (fuzz/backend-fuzz.mjs) against the backend exported by
 * `backendModule` (a path), in a child process: random submission entries with wrong types, detached
 * buffers, bad handles, reused slots and cancels of anything must never crash the process. Throws with
 * what the child printed (a sanitizer report, a stuck slot) when it fails.
 */
export function runBackendFuzz(backendModule: string, seed: number, mode: 'blocking' | 'attached'): FuzzSummary {
  const script = join(dirname(createRequire(import.meta.url).resolve('@xev/core/package.json')), 'fuzz', 'backend-fuzz.mjs');
  let out: string;
  try {
    out = execFileSync(process.execPath, [script, backendModule, String(seed), mode], { encoding: 'utf8', timeout: 60_000, stdio: 'pipe' });
  } catch (error) {
    const e = error as { status?: number; signal?: string; stdout?: string; stderr?: string };
    throw new Error(`fuzz child (seed ${seed}, ${mode}) exited with ${e.status ?? e.signal}:\n${e.stdout ?? ''}\n${String(e.stderr ?? '').slice(-4000)}`);
  }
  return JSON.parse(out.trim().split('\n').pop()!) as FuzzSummary;
}
