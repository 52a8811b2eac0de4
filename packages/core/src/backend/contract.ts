/**
 * The backend contract: what a backend implements so that the loop can run on it.
 *
 * Principles (DESIGN.md section 3): operations go in and completions come out in batches through shared
 * typed arrays ({@link BackendRings}, laid out by `layout.ts`); one `enter` call per tick submits every
 * staged entry and reaps whatever has completed; no allocation per operation in steady state. Handles are
 * opaque numbers issued by the backend. Capabilities are declared. Every backend — the portable one too —
 * implements this interface, and `@xev/core/conformance` is the test that says it is done.
 *
 * Timers and thread-pool results are the loop's own business (a timer heap in the loop, as in libuv): a
 * backend only has to wake the loop at a deadline (`armWake` when attached, `enter`'s wait when blocking).
 */

/** How the loop runs on a backend. */
export type RunModeKind = 'attached' | 'blocking';

/** The version of this contract. A backend states the version it implements; the registry refuses others. */
export const CONTRACT_VERSION = 1;

/** Shared memory owned by the loop, handed to the backend once by {@link Backend.init}. */
export interface BackendRings {
  /** Submission entries, `Sqe.stride` doubles each. */
  readonly sq: Float64Array;
  /** Two objects per submission entry: the data buffer and the auxiliary buffer (address, path, stat). */
  readonly objects: (ArrayBufferView | null)[];
  /** Completion entries, `Cqe.stride` doubles each. */
  readonly cq: Float64Array;
  /** How many submission entries `sq` holds. */
  readonly sqEntries: number;
  /** How many completion entries `cq` holds; `enter` never writes more. */
  readonly cqEntries: number;
}

/** What a backend can do beyond the required operation set. Higher packages read these to pick a path. */
export interface Capabilities {
  /** One accept submission yields many connections (io_uring). */
  readonly multishotAccept: boolean;
  /** One receive submission yields many reads into kernel-chosen buffers (io_uring). */
  readonly multishotRecv: boolean;
  /** Receives may take their buffer from a pool the loop provides, so idle connections hold none. */
  readonly pooledReads: boolean;
  /** Buffers can be registered with the kernel once (io_uring fixed buffers). */
  readonly registeredBuffers: boolean;
  /** Zero-copy send (io_uring SEND_ZC). */
  readonly zeroCopySend: boolean;
  /** A kernel thread polls the submission queue (io_uring SQPOLL), opt-in. */
  readonly sqpoll: boolean;
}

/** Options for spawning a child process through the backend. */
export interface SpawnOptions {
  readonly cwd?: string;
  /** The child's environment as `KEY=value` strings; defaults to the parent's. */
  readonly env?: readonly string[];
  /** `inherit` shares the parent's stdio; `ignore` connects the child's stdio to /dev/null. */
  readonly stdio?: 'inherit' | 'ignore';
}

/**
 * A token that wakes an async handle from any thread. It is plain data (structured-clonable), so it can be
 * posted to a `worker_threads` worker, where {@link BackendFactory.notify} uses it.
 */
export interface AsyncToken {
  readonly backend: string;
  readonly handle: number;
  /** Backend-specific shared state (the portable backend's wake word). */
  readonly shared?: SharedArrayBuffer;
  /** The module that exports the backend, so another thread can load it to call `notify`. */
  readonly module?: string;
}

/** One backend instance, owned by one loop. */
export interface Backend {
  readonly name: string;
  readonly capabilities: Capabilities;
  /** The run modes this instance supports. Every backend supports `attached`. */
  readonly modes: readonly RunModeKind[];

  /** Hands the backend the loop's shared rings. Called once, before anything else. */
  init(rings: BackendRings): void;

  /**
   * Submits the first `submitCount` staged entries, then writes ready completions into `rings.cq` and
   * returns how many it wrote. `waitMs` is `0` to never block (always, in attached mode), a positive
   * number of milliseconds to wait at most for a first completion, or `-1` to wait without limit (blocking
   * mode only). Completions beyond `cqEntries` stay queued for the next call.
   */
  enter(submitCount: number, waitMs: number): number;

  /**
   * Attached mode: from now on, call `onReady` from Node's event loop (never from inside `enter`) whenever
   * completions may be ready or an armed wake deadline has passed.
   */
  attach(onReady: () => void): void;

  /** Attached mode: call `onReady` after `delayMs` (fractional allowed); `-1` disarms the wake. */
  armWake(delayMs: number): void;

  /** Attached mode: whether the backend keeps Node's event loop alive (true while operations are active). */
  setRef(ref: boolean): void;

  // Synchronous control calls. Each returns a handle or 0 on success, negative errno on failure.

  /** Creates a socket; `family` 4 or 6, `type` a `SockType`. Non-blocking, close-on-exec. */
  socket(family: 4 | 6, type: number): number;
  /** Binds to an address encoded as in `Addr`. */
  bind(handle: number, address: Uint8Array): number;
  /** Starts listening. The portable backend may report a bind or listen error on the next accept. */
  listen(handle: number, backlog: number): number;
  /** Sets a `SockOpt` option to `value` (booleans as 0/1, sizes in bytes). */
  setsockopt(handle: number, option: number, value: number): number;
  /** Writes the local (`peer` false) or remote address into `out` (encoded as in `Addr`). */
  sockname(handle: number, peer: boolean, out: Uint8Array): number;
  /** Creates an async wake-up handle for `asyncWait` operations. */
  asyncCreate(): number;
  /** The token that wakes `handle` from any thread. */
  asyncToken(handle: number): AsyncToken;
  /** Spawns a child process; returns a process handle for `processWait`. */
  spawn(file: string, args: readonly string[], options: SpawnOptions): number;
  /** The process id behind a process handle. */
  pid(handle: number): number;
  /**
   * Releases a handle at once without a completion (async and process handles, and sockets the loop
   * never handed to an operation). Pending operations on it complete with ECANCELED first.
   */
  closeSync(handle: number): number;

  /** Releases everything; the instance is unusable afterwards. */
  destroy(): void;
}

/** Why a backend is or is not usable on this machine. */
export type ProbeResult =
  | { readonly usable: true; readonly detail?: string }
  | {
      readonly usable: false;
      /** `refused`: the kernel said no (with `errno`); `unsupported`: wrong platform or missing feature. */
      readonly reason: 'refused' | 'unsupported';
      readonly errno?: number;
      readonly code?: string;
      readonly message: string;
      /** What the user can do about it. */
      readonly fix?: string;
    };

/** Options a loop passes when creating a backend instance. */
export interface BackendOptions {
  /** Requested submission/completion queue depth. */
  readonly entries: number;
  /** The mode the loop will run in; a backend may tune itself for it (io_uring DEFER_TASKRUN only when blocking). */
  readonly mode: RunModeKind;
  /** Ask for a kernel submission-polling thread where supported (io_uring SQPOLL). */
  readonly sqpoll?: boolean;
}

/**
 * What a backend package exports (as `backend` and as its default export). The registry calls `probe`
 * before `create`, and `notify` may be called from any thread.
 */
export interface BackendFactory {
  readonly name: string;
  readonly contractVersion: number;
  /** The run modes the backend supports on this platform. */
  readonly modes: readonly RunModeKind[];
  /** Checks that the backend can run here. Never throws, never kills the process. */
  probe(): ProbeResult;
  create(options: BackendOptions): Backend;
  /** Wakes the async handle behind `token`. Safe from any thread, including `worker_threads` workers. */
  notify(token: AsyncToken): void;
}
