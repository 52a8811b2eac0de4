/**
 * `@xev/backend-kqueue`: the native kqueue backend for `@xev/core`, for macOS and FreeBSD.
 *
 * On Linux this package builds the same backend against a kqueue emulation on epoll, for tests only: its
 * probe says so ("kqueue emulated on epoll (tests only)"), the registry never picks it by detection there,
 * and `XEV_BACKEND=kqueue` or `--backend kqueue` selects it explicitly.
 *
 * Importing this module never throws and never loads the addon; the registry calls `probe()` first, which
 * loads it and reports any failure (missing build, refused syscall) as data.
 *
 * @packageDocumentation
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineNativeBackend, loadNativeAddon, type BackendFactory, type NativeAddon } from '@xev/core';

/** dist/index.js, dist/index.cjs (where tsup shims import.meta.url) and src/index.ts all sit one level down. */
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Loads the addon through core's loader, which tries in order: `XEV_KQUEUE_ADDON` (a path to an addon
 * file), this package's `prebuilds/` (prebuildify), then the local build (`build/Release`; `build/Debug`
 * first when `XEV_KQUEUE_DEBUG=1`, as `npm run test:asan` sets). When none loads, its error names every
 * attempt and the fixes, and `probe()` reports it.
 */
function loadAddon(): NativeAddon {
  return loadNativeAddon<NativeAddon>({
    backend: 'kqueue',
    packageRoot,
    addonName: 'xev_kqueue',
    envVar: 'XEV_KQUEUE_ADDON',
    debugEnvVar: 'XEV_KQUEUE_DEBUG',
  });
}

/**
 * The kqueue backend: readiness (EVFILT_READ / EVFILT_WRITE, one filter per descriptor and direction)
 * turned into completions, EVFILT_USER for async handles and wake-ups, EVFILT_TIMER for the attached wake
 * deadline, EVFILT_PROC for processes, and a native thread pool for regular files. Runs attached to Node's
 * loop or blocking.
 */
export const backend: BackendFactory = defineNativeBackend({
  name: 'kqueue',
  modes: ['attached', 'blocking'],
  // Linux runs the emulated test build; the registry detects kqueue only on darwin and freebsd.
  platforms: ['darwin', 'freebsd', 'linux'],
  capabilities: {
    multishotAccept: false,
    multishotRecv: false,
    pooledReads: false,
    registeredBuffers: false,
    zeroCopySend: false,
    sqpoll: false,
  },
  load: loadAddon,
});

export default backend;
