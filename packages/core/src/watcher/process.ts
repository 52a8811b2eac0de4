import type { Loop } from '../loop.js';
import type { SpawnOptions } from '../backend/contract.js';
import { OpCode } from '../backend/layout.js';
import type { Callback, Completion } from '../completion.js';
import { XevError, XevUsageError } from '../errors.js';

/**
 * A child process, libxev's Process: spawned through the backend (pidfd on Linux) so that the loop — not
 * Node's child_process machinery — reaps it. `wait` reports the exit code as the result (128 + signal
 * when a signal ended it, with the signal number in `completion.resultAux`); a second wait gets ECHILD.
 */
export class Process {
  readonly loop: Loop;
  readonly handle: number;
  /** The operating system's process id. */
  readonly pid: number;
  #closed = false;

  private constructor(loop: Loop, handle: number) {
    this.loop = loop;
    this.handle = handle;
    this.pid = loop.backend.pid(handle);
  }

  /** Starts `file` with `args`. Throws an {@link XevError} if the backend could not start it. */
  static spawn(loop: Loop, file: string, args: readonly string[] = [], options: SpawnOptions = {}): Process {
    if (typeof file !== 'string' || file.length === 0) throw new XevUsageError('spawn needs a file to run');
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw new XevUsageError('spawn arguments must be strings');
    const handle = loop.backend.spawn(file, args, options);
    if (handle < 0) throw XevError.fromResult(handle, `spawn ${file}`);
    return new Process(loop, handle);
  }

  /** Arms `c` to run `callback` with the exit status once the child has exited. */
  wait<U>(c: Completion<U>, userdata: U, callback: Callback<U>): void {
    if (this.#closed) throw new XevUsageError('this Process is closed');
    c.prep(OpCode.processWait, this.handle);
    c.userdata = userdata;
    c.callback = callback;
    this.loop.add(c);
  }

  /** Releases the process handle (not the process); a pending wait completes with ECANCELED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.loop.backend.closeSync(this.handle);
  }
}
