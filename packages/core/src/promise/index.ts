import type { Loop } from '../loop.js';
import { Completion } from '../completion.js';
import { OpCode } from '../backend/layout.js';
import type { Async } from '../watcher/async.js';
import type { Process } from '../watcher/process.js';
import { TASK_FAILED, type Task, type ThreadPool } from '../watcher/thread-pool.js';
import { type AbortOptions, perform } from './perform.js';
import { XevError } from '../errors.js';

export { perform, type AbortOptions } from './perform.js';

/** Resolves after `ms` milliseconds (never earlier). Aborting cancels the timer. */
export async function sleep(loop: Loop, ms: number, options: AbortOptions = {}): Promise<void> {
  await perform(loop, new Completion().prep(OpCode.timer, -1, null, null, ms), options);
}

/** Resolves on the next notification of `async`. */
export async function waitAsync(async: Async, options: AbortOptions = {}): Promise<void> {
  await perform(async.loop, new Completion().prep(OpCode.asyncWait, async.handle), options);
}

/** How a child process ended: `signal` is the terminating signal number, or 0. */
export interface ExitStatus {
  readonly code: number;
  readonly signal: number;
}

/** Resolves with the exit status once the child has exited (and reaps it). */
export async function waitProcess(process: Process, options: AbortOptions = {}): Promise<ExitStatus> {
  const c = new Completion().prep(OpCode.processWait, process.handle);
  const code = await perform(process.loop, c, options);
  return { code, signal: c.resultAux };
}

/** Runs `task` on the pool; resolves with its return value or rejects with the error it threw. */
export function runTask<T = unknown>(pool: ThreadPool, task: Task, options: AbortOptions = {}): Promise<T> {
  const c = new Completion();
  return new Promise<T>((resolve, reject) => {
    const { signal } = options;
    let onAbort: (() => void) | undefined;
    pool.submit(c, task, undefined, (_u, _loop, _c, result) => {
      if (onAbort) signal!.removeEventListener('abort', onAbort);
      if (result === 0) resolve(c.value as T);
      else if (result === TASK_FAILED) reject(c.value);
      else reject(XevError.fromResult(result, 'task'));
    });
    if (signal) {
      onAbort = () => c.state === 'active' && pool.loop.add(new Completion().prepCancel(c));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}
