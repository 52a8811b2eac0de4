import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendFactory, RunModeKind } from '../backend/contract.js';
import { Loop, type LoopOptions, type RunMode } from '../loop.js';

/** Thrown by {@link CaseContext.skip}; the runner records the case as skipped with the reason. */
export class SkipCase extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SkipCase';
  }
}

/** What a conformance case gets: loops on the backend under test, a way to run them, scratch space. */
export interface CaseContext {
  readonly backend: BackendFactory;
  readonly mode: RunModeKind;
  /** A new loop on the backend under test, in the suite's mode; checked and closed after the case. */
  loop(options?: Omit<LoopOptions, 'backend' | 'mode'>): Loop;
  /** Runs `loop` in the suite's mode: `await loop.run(mode)` attached, `loop.runBlocking(mode)` blocking. */
  run(loop: Loop, mode?: RunMode): Promise<void>;
  /** A fresh temporary directory, removed after the case. */
  tmpdir(): string;
  /** Ends the case as skipped. */
  skip(reason: string): never;
  /** Registers clean-up to run after the case, last registered first. */
  defer(cleanup: () => void | Promise<void>): void;
}

/** One conformance case. `modes` limits it to some run modes (a case whose peer must run on Node's own loop). */
export interface ConformanceCase {
  readonly name: string;
  readonly modes?: readonly RunModeKind[];
  run(t: CaseContext): Promise<void> | void;
}

/** Cases that check one concern, named by the rule of DESIGN.md section 2 they check. */
export interface ConformanceGroup {
  readonly name: string;
  readonly cases: readonly ConformanceCase[];
}

/** Runs one case against `backend` in `mode`; resolves `'passed'` or `'skipped'`, or rejects with the failure. */
export async function runCase(
  c: ConformanceCase,
  backend: BackendFactory,
  mode: RunModeKind,
): Promise<{ status: 'passed' | 'skipped'; reason?: string }> {
  if (c.modes && !c.modes.includes(mode)) return { status: 'skipped', reason: `runs in ${c.modes.join(', ')} mode only` };
  const loops: Loop[] = [];
  const cleanups: (() => void | Promise<void>)[] = [];
  const t: CaseContext = {
    backend,
    mode,
    loop(options = {}) {
      const loop = new Loop({ ...options, backend, mode });
      if (loop.backendName !== backend.name) throw new Error(`asked for ${backend.name}, got ${loop.backendName}`);
      loops.push(loop);
      return loop;
    },
    async run(loop, runMode = 'until_done') {
      if (mode === 'blocking') loop.runBlocking(runMode);
      else await loop.run(runMode);
    },
    tmpdir() {
      const dir = mkdtempSync(join(tmpdir(), 'xev-conformance-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
    skip(reason) {
      throw new SkipCase(reason);
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };
  let failure: unknown;
  let skipped: string | undefined;
  try {
    await c.run(t);
    // Every case must leave nothing behind (STYLE.md habit 6).
    for (const loop of loops) {
      if (loop.activeCount !== 0) throw new Error(`the case left ${loop.activeCount} active completion(s) on its loop`);
    }
  } catch (error) {
    if (error instanceof SkipCase) skipped = error.message;
    else failure = error;
  }
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      failure ??= error;
    }
  }
  for (const loop of loops) {
    try {
      if (loop.activeCount === 0) loop.close();
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
  return skipped !== undefined ? { status: 'skipped', reason: skipped } : { status: 'passed' };
}
