import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Loop } from '../loop.js';
import type { AsyncToken, BackendFactory } from '../backend/contract.js';
import { OpCode } from '../backend/layout.js';
import { moduleOf } from '../backend/registry.js';
import { notifyShared } from '../backend/portable/async-handle.js';
import type { Callback, Completion } from '../completion.js';
import { XevError, XevUsageError } from '../errors.js';

/**
 * A cross-thread wake-up, libxev's Async: `wait` arms a completion that runs once the handle was
 * notified; `notify()` — or {@link notifyToken} in another thread — wakes it. Several notifies before the
 * loop ticks coalesce into one callback. The only thread-safe entry point into a loop.
 */
export class Async {
  readonly loop: Loop;
  readonly handle: number;
  #closed = false;
  #token: AsyncToken | null = null;

  constructor(loop: Loop) {
    const handle = loop.backend.asyncCreate();
    if (handle < 0) throw XevError.fromResult(handle, 'async create');
    this.loop = loop;
    this.handle = handle;
  }

  /** Arms `c` to run `callback` (result 0) after the next notification. */
  wait<U>(c: Completion<U>, userdata: U, callback: Callback<U>): void {
    if (this.#closed) throw new XevUsageError('this Async is closed');
    c.prep(OpCode.asyncWait, this.handle);
    c.userdata = userdata;
    c.callback = callback;
    this.loop.add(c);
  }

  /** Wakes the waiter. Safe to call any number of times; from other threads use {@link token}. */
  notify(): void {
    if (this.#closed) throw new XevUsageError('this Async is closed');
    this.loop.backendFactory.notify(this.token());
  }

  /** Plain data that wakes this handle from a `worker_threads` worker through {@link notifyToken}. */
  token(): AsyncToken {
    if (this.#token) return this.#token;
    const token = this.loop.backend.asyncToken(this.handle);
    const module = token.shared ? undefined : resolveModule(moduleOf(this.loop.backendName));
    this.#token = module ? { ...token, module } : token;
    return this.#token;
  }

  /** Releases the handle; a pending wait completes with ECANCELED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.loop.backend.closeSync(this.handle);
  }
}

/** An absolute path for a module specifier, so a worker with another working directory finds it. */
function resolveModule(specifier: string | undefined): string | undefined {
  if (!specifier) return undefined;
  for (const base of [join(process.cwd(), 'noop.js'), import.meta.url]) {
    try {
      return createRequire(base).resolve(specifier);
    } catch {
      // Try the next base.
    }
  }
  return specifier;
}

const factories = new Map<string, BackendFactory>();

/**
 * Wakes the async handle behind `token`, from any thread: the main thread, a `worker_threads` worker, or
 * a thread-pool task. A native backend's module is loaded in the calling thread on first use.
 */
export function notifyToken(token: AsyncToken): void {
  if (token.shared) {
    notifyShared(token.shared);
    return;
  }
  let factory = factories.get(token.backend);
  if (!factory) {
    if (!token.module) throw new XevUsageError(`the ${token.backend} backend cannot be reached from this thread: its token names no module`);
    const mod = createRequire(join(process.cwd(), 'noop.js'))(token.module) as { backend?: BackendFactory; default?: BackendFactory };
    factory = mod.backend ?? mod.default!;
    factories.set(token.backend, factory);
  }
  factory.notify(token);
}
