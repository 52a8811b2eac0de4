import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Where a native backend's addon may come from, in the order they are tried. */
export interface NativeAddonSource {
  /** The backend's name, for messages (`io_uring`). */
  readonly backend: string;
  /** The backend package's root directory (where its package.json is). */
  readonly packageRoot: string;
  /** The addon's file name without `.node` (binding.gyp's target_name), e.g. `xev_iouring`. */
  readonly addonName: string;
  /** An environment variable naming an addon file to load instead of everything else. */
  readonly envVar: string;
  /** An environment variable that, set to 1, prefers the Debug (sanitizer) build. */
  readonly debugEnvVar?: string;
  /** The per-platform prebuilt package's name without the target suffix (`@xev/backend-iouring`). */
  readonly prebuiltPackage?: string;
}

/** One attempt to load the addon, and why it failed. */
export interface LoadAttempt {
  readonly source: 'env' | 'prebuilt-package' | 'prebuilds' | 'local-build';
  readonly path: string;
  readonly error: string;
}

/** Thrown when no source yields a loadable addon: it names the target, every attempt and the fixes. */
export class NativeLoadError extends Error {
  readonly target: string;
  readonly attempts: readonly LoadAttempt[];

  constructor(source: NativeAddonSource, target: string, attempts: LoadAttempt[]) {
    const lines = attempts.map((a) => `  - ${a.source}: ${a.path}\n      ${a.error.split('\n')[0]}`);
    super(
      [
        `could not load the ${source.backend} addon for ${target} (Node ${process.versions.node}, N-API ${process.versions.napi}). Tried:`,
        ...lines,
        'Fixes:',
        `  - rebuild it from source: npm rebuild ${source.prebuiltPackage ?? source.packageRoot} (needs python3, make and a C++ compiler)`,
        source.prebuiltPackage ? `  - or install the prebuilt package: npm install ${source.prebuiltPackage}-${target}` : '',
        `  - or point ${source.envVar} at a working ${source.addonName}.node`,
        '  - or use another backend: XEV_BACKEND=portable works everywhere',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    this.name = 'NativeLoadError';
    this.target = target;
    this.attempts = attempts;
  }
}

/** `linux-x64-gnu`, `linux-arm64-musl`, `darwin-arm64`: the prebuilt-package suffix for this process. */
export function nativeTarget(): string {
  if (process.platform !== 'linux') return `${process.platform}-${process.arch}`;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return `linux-${process.arch}-${header?.glibcVersionRuntime ? 'gnu' : 'musl'}`;
}

/**
 * Loads a backend's addon: the `envVar` override, then the per-platform prebuilt package, then the
 * package's local build (`build/Release`, or `build/Debug` first when `debugEnvVar` is 1), then its own
 * `prebuilds/` (prebuildify). A local build comes before `prebuilds/` because it exists only when someone
 * compiled this checkout on purpose. Throws one {@link NativeLoadError} listing every attempt when none
 * loads.
 */
export function loadNativeAddon<T>(source: NativeAddonSource): T {
  const req = createRequire(join(source.packageRoot, 'package.json'));
  const target = nativeTarget();
  const attempts: LoadAttempt[] = [];
  const tryFile = (kind: LoadAttempt['source'], path: string): T | undefined => {
    try {
      return req(path) as T;
    } catch (error) {
      attempts.push({ source: kind, path, error: (error as Error).message });
      return undefined;
    }
  };

  const override = process.env[source.envVar];
  if (override) {
    // An explicit override is the user's decision: nothing else is tried when it fails.
    const loaded = tryFile('env', override);
    if (loaded) return loaded;
    throw new NativeLoadError(source, target, attempts);
  }

  if (source.prebuiltPackage) {
    const name = `${source.prebuiltPackage}-${target}`;
    try {
      const path = join(req.resolve(`${name}/package.json`), '..', `${source.addonName}.node`);
      const loaded = tryFile('prebuilt-package', path);
      if (loaded) return loaded;
    } catch {
      attempts.push({ source: 'prebuilt-package', path: name, error: 'not installed' });
    }
  }

  const debugFirst = source.debugEnvVar !== undefined && process.env[source.debugEnvVar] === '1';
  for (const config of debugFirst ? ['Debug', 'Release'] : ['Release']) {
    const path = join(source.packageRoot, 'build', config, `${source.addonName}.node`);
    if (!existsSync(path)) {
      attempts.push({ source: 'local-build', path, error: 'not built' });
      continue;
    }
    const loaded = tryFile('local-build', path);
    if (loaded) return loaded;
  }
  const prebuildDir = join(source.packageRoot, 'prebuilds', `${process.platform}-${process.arch}`);
  if (existsSync(prebuildDir)) {
    for (const file of readdirSync(prebuildDir).filter((f) => f.endsWith('.node'))) {
      const loaded = tryFile('prebuilds', join(prebuildDir, file));
      if (loaded) return loaded;
    }
  } else {
    attempts.push({ source: 'prebuilds', path: prebuildDir, error: 'no prebuilt binary for this platform' });
  }

  throw new NativeLoadError(source, target, attempts);
}
