import type {
  AsyncToken,
  Backend,
  BackendFactory,
  BackendOptions,
  Capabilities,
  ProbeResult,
  RunModeKind,
} from './contract.js';
import { CONTRACT_VERSION } from './contract.js';
import { NativeLoadError } from './load-native.js';

/**
 * The N-API surface every native backend addon exports. The addon's `Instance` class implements the
 * backend's per-loop calls directly, so the JavaScript side adds nothing per operation.
 */
export interface NativeAddon {
  /** `{ ok: true }`, or the errno the kernel answered and a message. Never throws. */
  probe(): { ok: true; detail?: string } | { ok: false; errno: number; message: string; fix?: string };
  /** Wakes an async handle; thread-safe (an eventfd write, or the platform's equivalent). */
  notify(handle: number): void;
  Instance: new (entries: number, flags: number) => NativeInstance;
}

/** The per-loop object an addon creates; its methods are {@link Backend}'s, with flat arguments. */
export interface NativeInstance {
  init(sq: Float64Array, objects: (ArrayBufferView | null)[], cq: Float64Array): void;
  enter(submitCount: number, waitMs: number): number;
  attach(onReady: () => void): void;
  armWake(delayMs: number): void;
  setRef(ref: boolean): void;
  socket(family: number, type: number): number;
  bind(handle: number, address: Uint8Array): number;
  listen(handle: number, backlog: number): number;
  setsockopt(handle: number, option: number, value: number): number;
  sockname(handle: number, peer: boolean, out: Uint8Array): number;
  asyncCreate(): number;
  spawn(file: string, args: readonly string[], cwd: string | null, env: readonly string[] | null, ignoreStdio: boolean): number;
  pid(handle: number): number;
  closeSync(handle: number): number;
  destroy(): void;
}

/** Instance creation flags understood by native addons. */
export const NativeFlag = { sqpoll: 0x1, blocking: 0x2 } as const;

/** Describes a native backend package to {@link defineNativeBackend}. */
export interface NativeBackendSpec {
  readonly name: string;
  readonly modes: readonly RunModeKind[];
  readonly capabilities: Capabilities;
  /** Loads the addon (through node-gyp-build); may throw, and the thrown error becomes the probe's answer. */
  load(): NativeAddon;
  /** Checked before loading: for example `process.platform === 'linux'`. */
  readonly platforms: readonly NodeJS.Platform[];
}

/**
 * Builds a {@link BackendFactory} around a native addon. Loading is lazy and its failure is reported by
 * `probe`, so importing a backend package never throws.
 */
export function defineNativeBackend(spec: NativeBackendSpec): BackendFactory {
  let addon: NativeAddon | undefined;
  let loadError: unknown;
  const loaded = (): NativeAddon => {
    if (addon) return addon;
    if (loadError) throw loadError;
    try {
      addon = spec.load();
      return addon;
    } catch (error) {
      loadError = error;
      throw error;
    }
  };

  return {
    name: spec.name,
    contractVersion: CONTRACT_VERSION,
    modes: spec.modes,
    probe(): ProbeResult {
      if (!spec.platforms.includes(process.platform)) {
        return {
          usable: false,
          reason: 'unsupported',
          message: `${spec.name} runs on ${spec.platforms.join(', ')}, not ${process.platform}`,
        };
      }
      let native: NativeAddon;
      try {
        native = loaded();
      } catch (error) {
        // The shared loader's error already lists every attempt and the fixes.
        if (error instanceof NativeLoadError) return { usable: false, reason: 'unsupported', message: error.message };
        return {
          usable: false,
          reason: 'unsupported',
          message: `the ${spec.name} addon failed to load: ${(error as Error).message}`,
          fix: 'rebuild it with `npm rebuild` (needs python3, make and a C++ compiler), or use another backend',
        };
      }
      const answer = native.probe();
      if (answer.ok) return { usable: true, ...(answer.detail ? { detail: answer.detail } : {}) };
      return {
        usable: false,
        reason: 'refused',
        errno: answer.errno,
        message: answer.message,
        ...(answer.fix ? { fix: answer.fix } : {}),
      };
    },
    create(options: BackendOptions): Backend {
      const instance = new (loaded().Instance)(
        options.entries,
        (options.sqpoll ? NativeFlag.sqpoll : 0) | (options.mode === 'blocking' ? NativeFlag.blocking : 0),
      );
      return new NativeBackend(spec, instance);
    },
    notify(token: AsyncToken): void {
      loaded().notify(token.handle);
    },
  };
}

/** Adapts a {@link NativeInstance} to {@link Backend}; every call is a direct forward. */
class NativeBackend implements Backend {
  readonly name: string;
  readonly capabilities: Capabilities;
  readonly modes: readonly RunModeKind[];
  readonly #native: NativeInstance;

  constructor(spec: NativeBackendSpec, native: NativeInstance) {
    this.name = spec.name;
    this.capabilities = spec.capabilities;
    this.modes = spec.modes;
    this.#native = native;
  }

  init(rings: { sq: Float64Array; objects: (ArrayBufferView | null)[]; cq: Float64Array }): void {
    this.#native.init(rings.sq, rings.objects, rings.cq);
  }
  enter(submitCount: number, waitMs: number): number {
    return this.#native.enter(submitCount, waitMs);
  }
  attach(onReady: () => void): void {
    this.#native.attach(onReady);
  }
  armWake(delayMs: number): void {
    this.#native.armWake(delayMs);
  }
  setRef(ref: boolean): void {
    this.#native.setRef(ref);
  }
  socket(family: 4 | 6, type: number): number {
    return this.#native.socket(family, type);
  }
  bind(handle: number, address: Uint8Array): number {
    return this.#native.bind(handle, address);
  }
  listen(handle: number, backlog: number): number {
    return this.#native.listen(handle, backlog);
  }
  setsockopt(handle: number, option: number, value: number): number {
    return this.#native.setsockopt(handle, option, value);
  }
  sockname(handle: number, peer: boolean, out: Uint8Array): number {
    return this.#native.sockname(handle, peer, out);
  }
  asyncCreate(): number {
    return this.#native.asyncCreate();
  }
  asyncToken(handle: number): AsyncToken {
    return { backend: this.name, handle };
  }
  spawn(file: string, args: readonly string[], options: { cwd?: string; env?: readonly string[]; stdio?: string }): number {
    return this.#native.spawn(file, args, options.cwd ?? null, options.env ?? null, options.stdio === 'ignore');
  }
  pid(handle: number): number {
    return this.#native.pid(handle);
  }
  closeSync(handle: number): number {
    return this.#native.closeSync(handle);
  }
  destroy(): void {
    this.#native.destroy();
  }
}
