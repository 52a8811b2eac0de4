/**
 * `@xev/backend-epoll`: the native epoll backend for `@xev/core`.
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
 * Loads the addon through core's loader, which tries in order: `XEV_EPOLL_ADDON` (a path to an addon
 * file), this package's `prebuilds/` (prebuildify), then the local build (`build/Release`; `build/Debug`
 * first when `XEV_EPOLL_DEBUG=1`, as `npm run test:asan` sets). When none loads, its error names every
 * attempt and the fixes, and `probe()` reports it.
 */
function loadAddon(): NativeAddon {
  return loadNativeAddon<NativeAddon>({
    backend: 'epoll',
    packageRoot,
    addonName: 'xev_epoll',
    envVar: 'XEV_EPOLL_ADDON',
    debugEnvVar: 'XEV_EPOLL_DEBUG',
    prebuiltPackage: '@xev/backend-epoll',
  });
}

/**
 * The epoll backend: readiness turned into completions by performing each operation when its descriptor is
 * ready, with a native thread pool for regular files. Runs attached to Node's loop or blocking.
 */
export const backend: BackendFactory = defineNativeBackend({
  name: 'epoll',
  modes: ['attached', 'blocking'],
  platforms: ['linux'],
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
