/**
 * `@xev/core`: libxev's proactor event loop for Node.js.
 *
 * The low-level API is libxev's: a {@link Loop}, caller-owned {@link Completion}s, callbacks that return
 * {@link CallbackAction}, and thin watchers ({@link Timer}, {@link Async}, {@link Process},
 * {@link ThreadPool}). The Promise API (`sleep`, `perform`, …) sits on top. Backends are found at run
 * time by the registry (`detect`, `prefer`, `XEV_BACKEND`).
 *
 * @packageDocumentation
 */
export { Loop, type LoopOptions, type RunMode } from './loop.js';
export { Completion, CallbackAction, type Callback, type CompletionState } from './completion.js';
export { XevError, XevUsageError, errno, errnoName } from './errors.js';

export { Timer } from './watcher/timer.js';
export { Async, notifyToken } from './watcher/async.js';
export { Process } from './watcher/process.js';
export { WriteQueue, WriteRequest, type WriteCallback } from './watcher/write-queue.js';
export { ThreadPool, TASK_FAILED, type Task, type ThreadPoolOptions } from './watcher/thread-pool.js';

export { sleep, perform, waitAsync, waitProcess, runTask, type AbortOptions, type ExitStatus } from './promise/index.js';

export {
  CONTRACT_VERSION,
  type AsyncToken,
  type Backend,
  type BackendFactory,
  type BackendOptions,
  type BackendRings,
  type Capabilities,
  type ProbeResult,
  type RunModeKind,
  type SpawnOptions,
} from './backend/contract.js';
export {
  Addr,
  Cqe,
  FIRST_BACKEND_OP,
  OpCode,
  OpenFlag,
  PollEvent,
  SQE_OBJECTS,
  ShutdownHow,
  SockOpt,
  SockType,
  Sqe,
  Stat,
  opName,
} from './backend/layout.js';
export { encodeAddress, decodeAddress, encodePath, decodePath, type SocketAddress } from './backend/address.js';
export {
  detect,
  prefer,
  register,
  report,
  select,
  type BackendReport,
  type CandidateReport,
  type CandidateStatus,
} from './backend/registry.js';
export { portableBackend } from './backend/portable/index.js';
export { formatReport } from './cli/doctor.js';
export { loadNativeAddon, nativeTarget, NativeLoadError, type LoadAttempt, type NativeAddonSource } from './backend/load-native.js';
export {
  defineNativeBackend,
  NativeFlag,
  type NativeAddon,
  type NativeBackendSpec,
  type NativeInstance,
} from './backend/native.js';
