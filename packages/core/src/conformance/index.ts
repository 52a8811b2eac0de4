/**
 * `@xev/core/conformance`: the test suite every backend passes. A backend package calls
 * {@link defineConformanceSuite} from its own test files (with vitest's, jest's or mocha's `describe` and
 * `it`), and `xev conformance` runs the same cases from the command line with {@link runConformance}.
 *
 * @packageDocumentation
 */
import type { BackendFactory, RunModeKind } from '../backend/contract.js';
import { select } from '../backend/registry.js';
import { asyncCases } from './async.cases.js';
import { completionCases } from './completion.cases.js';
import { type ConformanceCase, type ConformanceGroup, runCase } from './context.js';
import { fileCases } from './file.cases.js';
import { fsFileCases } from './fs-files.cases.js';
import { loopCases } from './loop.cases.js';
import { netFailureCases } from './net-failures.cases.js';
import { netStreamCases } from './net-stream.cases.js';
import { netUdpCases } from './net-udp.cases.js';
import { processCases } from './process.cases.js';
import { promiseCases } from './promise.cases.js';
import { tcpCases } from './tcp.cases.js';
import { threadPoolCases } from './thread-pool.cases.js';
import { timerCases } from './timer.cases.js';
import { udpCases } from './udp.cases.js';

export { runBackendFuzz, type FuzzSummary } from './fuzz.js';
export { type CaseContext, type ConformanceCase, type ConformanceGroup, SkipCase, runCase } from './context.js';

/** Every conformance group, in the order DESIGN.md section 2 lists the rules. */
export const conformanceGroups: readonly ConformanceGroup[] = [
  loopCases,
  completionCases,
  timerCases,
  asyncCases,
  processCases,
  threadPoolCases,
  promiseCases,
  fileCases,
  fsFileCases,
  tcpCases,
  udpCases,
  netStreamCases,
  netFailureCases,
  netUdpCases,
];

/** The number of cases in the suite. */
export const caseCount = conformanceGroups.reduce((n, g) => n + g.cases.length, 0);

export type Describe = (name: string, body: () => void) => void;
export type It = (name: string, body: () => Promise<void>, timeout?: number) => void;

/** Options for {@link defineConformanceSuite}. */
export interface SuiteOptions {
  /** The backend under test, or its registered name. */
  readonly backend: BackendFactory | string;
  readonly mode?: RunModeKind;
  /** The test framework's `describe` and `it`. */
  readonly describe: Describe;
  readonly it: It & { skip?: (name: string, body: () => void) => void };
  /** Only cases whose group and name match. */
  readonly filter?: RegExp;
  /** Per-case timeout in milliseconds; default 30,000. */
  readonly timeout?: number;
}

function resolveBackend(backend: BackendFactory | string): BackendFactory {
  return typeof backend === 'string' ? select(backend, 'the conformance suite') : backend;
}

function selected(group: ConformanceGroup, c: ConformanceCase, filter?: RegExp): boolean {
  return !filter || filter.test(`${group.name}: ${c.name}`);
}

/**
 * Registers every conformance case with a test framework: one `describe` per rule group, one `it` per
 * case, titled `conformance: <backend> (<mode>)`.
 */
export function defineConformanceSuite(options: SuiteOptions): void {
  const backend = resolveBackend(options.backend);
  const mode = options.mode ?? 'attached';
  options.describe(`conformance: ${backend.name} (${mode})`, () => {
    for (const group of conformanceGroups) {
      options.describe(group.name, () => {
        for (const c of group.cases) {
          if (!selected(group, c, options.filter)) continue;
          options.it(
            c.name,
            async () => {
              await runCase(c, backend, mode);
            },
            options.timeout ?? 30_000,
          );
        }
      });
    }
  });
}

/** One case's outcome in a {@link ConformanceReport}. */
export interface CaseResult {
  readonly group: string;
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly ms: number;
  readonly error?: string;
}

/** The outcome of a whole run: what `xev conformance --json` prints (without `results`). */
export interface ConformanceReport {
  readonly backend: string;
  readonly mode: RunModeKind;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly results: readonly CaseResult[];
}

/** Runs the suite without a test framework, case by case; `onResult` sees each result as it lands. */
export async function runConformance(options: {
  backend: BackendFactory | string;
  mode?: RunModeKind;
  filter?: RegExp;
  onResult?: (result: CaseResult) => void;
}): Promise<ConformanceReport> {
  const backend = resolveBackend(options.backend);
  const mode = options.mode ?? 'attached';
  const results: CaseResult[] = [];
  for (const group of conformanceGroups) {
    for (const c of group.cases) {
      if (!selected(group, c, options.filter)) continue;
      const start = performance.now();
      let result: CaseResult;
      try {
        const outcome = await runCase(c, backend, mode);
        result = { group: group.name, name: c.name, status: outcome.status, ms: performance.now() - start, ...(outcome.reason ? { error: outcome.reason } : {}) };
      } catch (error) {
        result = { group: group.name, name: c.name, status: 'failed', ms: performance.now() - start, error: (error as Error)?.stack ?? String(error) };
      }
      results.push(result);
      options.onResult?.(result);
    }
  }
  return {
    backend: backend.name,
    mode,
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    results,
  };
}
