/**
 * `@xev/backend-epoll`: the native epoll backend for `@xev/core`.
 *
 * Importing this module never throws and never loads the addon; the registry calls `probe()` first, which
 * loads it and reports any failure (missing build, refused syscall) as data.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineNativeBackend, type BackendFactory } from '@xev/core';

const require = createRequire(import.meta.url);

/** dist/index.js, dist/index.cjs (where tsup shims import.meta.url) and src/index.ts all sit one level down. */
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Loads the addon: a prebuild or build/Release through node-gyp-build, or the sanitizer build in
 * build/Debug when `XEV_EPOLL_DEBUG=1` (set by `npm run test:asan`).
 */
function loadAddon() {
  if (process.env.XEV_EPOLL_DEBUG === '1') return require(join(packageRoot, 'build', 'Debug', 'xev_epoll.node'));
  return require('node-gyp-build')(packageRoot);
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
