import type { Loop } from '../loop.js';
import { Completion } from '../completion.js';
import { ECANCELED, XevError } from '../errors.js';
import { opName } from '../backend/layout.js';

/** Options every Promise-API call takes. */
export interface AbortOptions {
  /** Aborting cancels the operation in the backend (a real cancel, not a flag); the promise rejects with ECANCELED. */
  readonly signal?: AbortSignal;
}

function abortError(signal: AbortSignal, op: string): XevError {
  const error = new XevError('ECANCELED', -ECANCELED, `${op} was aborted`, op);
  (error as { cause?: unknown }).cause = signal.reason;
  return error;
}

/**
 * Adds the prepared completion `c` and resolves with its result when it completes: a number `>= 0`, or a
 * rejection with an {@link XevError} for a negative result. `c`'s callback and userdata are replaced.
 * In attached mode the loop runs by itself; a blocking loop needs `runBlocking`.
 */
export function perform(loop: Loop, c: Completion<any>, options: AbortOptions = {}): Promise<number> {
  const { signal } = options;
  const op = opName[c.op] ?? String(c.op);
  if (signal?.aborted) return Promise.reject(abortError(signal, op));
  return new Promise<number>((resolve, reject) => {
    let onAbort: (() => void) | undefined;
    c.userdata = undefined;
    c.callback = (_u, _loop, _c, result) => {
      if (onAbort) signal!.removeEventListener('abort', onAbort);
      if (result >= 0) resolve(result);
      else if (result === ECANCELED && signal?.aborted) reject(abortError(signal, op));
      else reject(XevError.fromResult(result, op));
    };
    loop.add(c);
    if (signal) {
      onAbort = () => {
        if (c.state === 'active') loop.add(new Completion().prepCancel(c));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}
