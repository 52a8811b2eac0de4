import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BackendFactory, ProbeResult, RunModeKind } from './contract.js';
import { CONTRACT_VERSION } from './contract.js';
import { portableBackend } from './portable/index.js';
import { XevUsageError } from '../errors.js';

/** A backend this registry knows how to find: built in by package name, or registered by a caller. */
interface Candidate {
  readonly name: string;
  /** The npm package that provides it, for built-in native backends. */
  readonly packageName?: string;
  /** Platforms on which `detect()` considers it. */
  readonly platforms?: readonly NodeJS.Platform[];
  factory?: BackendFactory;
}

/** The status of one candidate in a {@link BackendReport}. */
export type CandidateStatus = 'usable' | 'not-installed' | 'load-failed' | 'refused' | 'unsupported';

/** Why one backend is or is not usable here, and what to do about it. */
export interface CandidateReport {
  readonly name: string;
  readonly packageName: string | null;
  readonly status: CandidateStatus;
  readonly modes: readonly RunModeKind[];
  readonly message: string;
  readonly errno?: number;
  readonly code?: string;
  readonly fix?: string;
}

/** Everything `xev doctor` prints: each candidate in detection order, and the one chosen and why. */
export interface BackendReport {
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
  readonly candidates: readonly CandidateReport[];
  readonly selected: string | null;
  readonly reason: string;
}

const builtins: Candidate[] = [
  { name: 'io_uring', packageName: '@xev/backend-iouring', platforms: ['linux'] },
  { name: 'epoll', packageName: '@xev/backend-epoll', platforms: ['linux'] },
  { name: 'kqueue', packageName: '@xev/backend-kqueue', platforms: ['darwin', 'freebsd'] },
  { name: 'portable', factory: portableBackend },
];

const candidates = new Map<string, Candidate>(builtins.map((c) => [c.name, { ...c }]));
let preferred: string | null = null;
const loadErrors = new Map<string, Error>();

function requireFrom(): NodeRequire[] {
  // The user's project first (where they installed a backend), then wherever @xev/core itself lives.
  return [createRequire(join(process.cwd(), 'noop.js')), createRequire(import.meta.url)];
}

function isMissing(error: unknown, packageName: string): boolean {
  const e = error as NodeJS.ErrnoException;
  return e?.code === 'MODULE_NOT_FOUND' && String(e.message).includes(packageName);
}

/** Loads a module by package name or path and returns the backend factory it exports. */
function loadFactory(specifier: string): BackendFactory {
  let lastError: unknown;
  for (const req of requireFrom()) {
    try {
      const mod = req(specifier) as { backend?: BackendFactory; default?: BackendFactory };
      const factory = mod.backend ?? mod.default;
      if (!factory || typeof factory.create !== 'function' || typeof factory.probe !== 'function') {
        throw new Error(`${specifier} exports no backend (expected \`backend\` or a default export with probe() and create())`);
      }
      return factory;
    } catch (error) {
      lastError = error;
      if (!isMissing(error, specifier)) break;
    }
  }
  throw lastError;
}

function factoryOf(candidate: Candidate): BackendFactory | undefined {
  if (candidate.factory) return candidate.factory;
  if (!candidate.packageName || loadErrors.has(candidate.name)) return undefined;
  try {
    candidate.factory = loadFactory(candidate.packageName);
    return candidate.factory;
  } catch (error) {
    loadErrors.set(candidate.name, error as Error);
    return undefined;
  }
}

function probeCandidate(candidate: Candidate): CandidateReport {
  const base = { name: candidate.name, packageName: candidate.packageName ?? null };
  const factory = factoryOf(candidate);
  if (!factory) {
    const error = loadErrors.get(candidate.name)!;
    if (isMissing(error, candidate.packageName!)) {
      return {
        ...base,
        status: 'not-installed',
        modes: [],
        message: `${candidate.packageName} is not installed`,
        fix: `npm install ${candidate.packageName}`,
      };
    }
    return {
      ...base,
      status: 'load-failed',
      modes: [],
      message: `${candidate.packageName} failed to load: ${error.message}`,
      fix: `reinstall ${candidate.packageName} (npm rebuild ${candidate.packageName}); its native addon must build for Node ${process.versions.node}`,
    };
  }
  if (factory.contractVersion !== CONTRACT_VERSION) {
    return {
      ...base,
      status: 'unsupported',
      modes: factory.modes,
      message: `implements backend contract v${factory.contractVersion}; this @xev/core speaks v${CONTRACT_VERSION}`,
      fix: 'install versions of the backend and @xev/core that match',
    };
  }
  let probe: ProbeResult;
  try {
    probe = factory.probe();
  } catch (error) {
    probe = { usable: false, reason: 'unsupported', message: `probe threw: ${(error as Error).message}` };
  }
  if (probe.usable) {
    return { ...base, status: 'usable', modes: factory.modes, message: probe.detail ?? 'usable' };
  }
  return {
    ...base,
    status: probe.reason === 'refused' ? 'refused' : 'unsupported',
    modes: factory.modes,
    message: probe.message,
    ...(probe.errno !== undefined ? { errno: probe.errno } : {}),
    ...(probe.code !== undefined ? { code: probe.code } : {}),
    ...(probe.fix !== undefined ? { fix: probe.fix } : {}),
  };
}

/** The detection order on this platform: native candidates for it, third-party ones, then portable. */
function detectionOrder(): Candidate[] {
  const all = [...candidates.values()];
  const native = all.filter((c) => c.platforms?.includes(process.platform));
  const thirdParty = all.filter((c) => !builtins.some((b) => b.name === c.name));
  return [...native, ...thirdParty, candidates.get('portable')!];
}

/**
 * Registers a backend under its name (a third-party backend, or a replacement for a built-in one).
 * `detect()` considers registered backends after the platform's native ones and before `portable`.
 */
export function register(factory: BackendFactory): void {
  if (!factory || typeof factory.name !== 'string' || typeof factory.create !== 'function') {
    throw new XevUsageError('register() takes a BackendFactory: { name, contractVersion, modes, probe(), create(), notify() }');
  }
  const existing = candidates.get(factory.name);
  candidates.set(factory.name, { ...existing, name: factory.name, factory });
  loadErrors.delete(factory.name);
}

/** Registers a backend exported by the module `specifier` (remembered so worker threads can load it). */
function registerModule(specifier: string, factory: BackendFactory): void {
  register(factory);
  const candidate = candidates.get(factory.name)!;
  if (!candidate.packageName) candidates.set(factory.name, { ...candidate, packageName: specifier });
}

/** Makes `name` the backend `detect()` returns (unless `XEV_BACKEND` says otherwise); `null` clears it. */
export function prefer(name: string | null): void {
  preferred = name === null ? null : candidateNamed(name, 'prefer()').name;
}

/**
 * Resolves a backend name: a known candidate, or a module (package name or path) that exports a backend,
 * registered on first use under the backend's own name. Throws a clear error for anything else.
 */
function candidateNamed(name: string, source: string): Candidate {
  const known = candidates.get(name);
  if (known) return known;
  let factory: BackendFactory;
  try {
    factory = loadFactory(name);
  } catch (error) {
    const why = isMissing(error, name) ? '' : ` (loading it as a module failed: ${(error as Error).message})`;
    throw new XevUsageError(
      `${source} names the backend '${name}', which is unknown${why}. Known backends: ${[...candidates.keys()].join(', ')}. ` +
        'A third-party backend must be registered with register() or be an installed package exporting one.',
    );
  }
  registerModule(name, factory);
  return candidates.get(factory.name)!;
}

/**
 * The backend a new loop uses: `XEV_BACKEND` if set, else the `prefer()`ed one, else the first usable
 * candidate for this platform. Throws an {@link XevUsageError} that says why when the named backend is
 * unknown or unusable.
 */
export function detect(): BackendFactory {
  const fromEnv = process.env.XEV_BACKEND;
  if (fromEnv) return select(fromEnv, 'XEV_BACKEND');
  if (preferred) return select(preferred, 'prefer()');
  for (const candidate of detectionOrder()) {
    if (probeCandidate(candidate).status === 'usable') return factoryOf(candidate)!;
  }
  return portableBackend;
}

/** The backend called `name`, probed; throws with the probe's answer if it is unusable here. */
export function select(name: string, source = 'the backend option'): BackendFactory {
  const candidate = candidateNamed(name, source);
  const report = probeCandidate(candidate);
  if (report.status !== 'usable') {
    throw new XevUsageError(
      `${source} asks for the '${name}' backend, which is ${report.status}: ${report.message}` +
        (report.fix ? `. Fix: ${report.fix}` : ''),
    );
  }
  return factoryOf(candidate)!;
}

/** Every candidate with its status, the backend `detect()` picks, and why. Never throws. */
export function report(): BackendReport {
  const order = detectionOrder();
  const others = [...candidates.values()].filter((c) => !order.includes(c));
  const reports = [...order, ...others].map(probeCandidate);
  let selected: string | null = null;
  let reason: string;
  try {
    selected = detect().name;
    const fromEnv = process.env.XEV_BACKEND;
    if (fromEnv) reason = `XEV_BACKEND=${fromEnv}`;
    else if (preferred) reason = `prefer('${preferred}')`;
    else {
      const skipped = reports.filter((r) => r.name !== selected && order.some((c) => c.name === r.name));
      const before = skipped.slice(0, Math.max(0, order.findIndex((c) => c.name === selected)));
      reason =
        before.length === 0
          ? `${selected} is the first usable backend for ${process.platform}`
          : `${selected} is the first usable backend for ${process.platform} (${before.map((r) => `${r.name}: ${r.status}`).join('; ')})`;
    }
  } catch (error) {
    reason = (error as Error).message;
  }
  return {
    platform: process.platform,
    arch: process.arch,
    node: process.versions.node,
    candidates: reports,
    selected,
    reason,
  };
}

/** The module specifier another thread can load to reach the backend called `name`, if there is one. */
export function moduleOf(name: string): string | undefined {
  return candidates.get(name)?.packageName;
}

/** @internal Forgets registrations, load failures and preferences (tests). */
export function resetRegistry(): void {
  candidates.clear();
  for (const c of builtins) candidates.set(c.name, { ...c });
  loadErrors.clear();
  preferred = null;
}
