/**
 * `@xev/backend-iouring`: the native io_uring backend for `@xev/core`.
 *
 * Install it next to `@xev/core` and the registry picks it first on Linux; nothing else changes. The
 * addon (raw io_uring syscalls, no liburing) loads lazily, so importing this package never throws: a
 * missing build, a kernel without io_uring or a seccomp policy that refuses it is reported by
 * `backend.probe()` with the errno and what to do.
 *
 * @packageDocumentation
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineNativeBackend, loadNativeAddon, type BackendFactory, type Capabilities, type NativeAddon } from '@xev/core';

/** What the kernel offers beyond the required operation set, as probed by the addon. */
export interface KernelFeatures {
  /** io_uring_setup succeeded and every required opcode is there. */
  readonly usable: boolean;
  readonly multishotAccept: boolean;
  readonly multishotRecv: boolean;
  readonly providedBufferRing: boolean;
  readonly registeredBuffers: boolean;
  readonly zeroCopySend: boolean;
  readonly sqpoll: boolean;
}

interface IoUringAddon extends NativeAddon {
  kernelFeatures(): KernelFeatures;
}

// dist/index.js, dist/index.cjs and (under vitest) src/index.ts all sit one level below the package root.
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

let addon: IoUringAddon | undefined;

/**
 * Loads the addon through @xev/core's loader: `XEV_IOURING_ADDON` if set, else the per-platform prebuilt
 * package, the package's `prebuilds/`, then its local build (`build/Debug` first when
 * `XEV_IOURING_DEBUG=1`, the sanitizer build of `npm run build:asan`). A failure names every attempt.
 */
function load(): IoUringAddon {
  addon ??= loadNativeAddon<IoUringAddon>({
    backend: 'io_uring',
    packageRoot,
    addonName: 'xev_iouring',
    envVar: 'XEV_IOURING_ADDON',
    debugEnvVar: 'XEV_IOURING_DEBUG',
    prebuiltPackage: '@xev/backend-iouring',
  });
  return addon;
}

/** The kernel's io_uring features (all false where the addon cannot load or io_uring is refused). */
export function kernelFeatures(): KernelFeatures {
  try {
    return load().kernelFeatures();
  } catch {
    return {
      usable: false,
      multishotAccept: false,
      multishotRecv: false,
      providedBufferRing: false,
      registeredBuffers: false,
      zeroCopySend: false,
      sqpoll: false,
    };
  }
}

/**
 * Capabilities declare what this backend does through the contract, probed on first read. SQPOLL is
 * implemented (`new Loop({ sqpoll: true })`) and is true where the kernel allows it. Multishot accept and
 * receive, provided buffer rings, registered buffers and zero-copy send are probed ({@link kernelFeatures})
 * but stay false: the contract has no operation that uses them yet, and a capability a caller cannot use
 * would not be truthful.
 */
const capabilities: Capabilities = {
  multishotAccept: false,
  multishotRecv: false,
  pooledReads: false,
  registeredBuffers: false,
  zeroCopySend: false,
  get sqpoll(): boolean {
    return kernelFeatures().sqpoll;
  },
};

/** The io_uring backend factory (also the default export), for `register` or `new Loop({ backend })`. */
export const backend: BackendFactory = defineNativeBackend({
  name: 'io_uring',
  modes: ['attached', 'blocking'],
  platforms: ['linux'],
  capabilities,
  load,
});

export default backend;
