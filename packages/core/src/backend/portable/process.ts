import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { OpCode } from '../layout.js';
import type { SpawnOptions } from '../contract.js';
import type { Complete, PendingOp, Resource } from './shared.js';
import { err, negErrno } from './shared.js';

const signals = constants.signals as Record<string, number>;

/** A child process from `child_process.spawn`. Its exit status is kept until one `processWait` takes it. */
export class ProcessResource implements Resource {
  readonly kind = 'process' as const;
  readonly pending = new Set<PendingOp>();
  readonly #complete: Complete;
  readonly #child: ChildProcess;
  /** The exit as [result, signal], or a negative errno if the spawn failed. */
  #exit: [number, number] | null = null;
  #reaped = false;
  readonly #waiters: PendingOp[] = [];

  constructor(file: string, args: readonly string[], options: SpawnOptions, complete: Complete) {
    this.#complete = complete;
    const env = options.env
      ? Object.fromEntries(options.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
      : process.env;
    this.#child = spawn(file, [...args], { cwd: options.cwd, env, stdio: options.stdio ?? 'inherit' });
    this.#child.on('error', (error) => {
      if (!this.#exit) this.#settle([negErrno(error, 'ENOENT'), 0]);
    });
    this.#child.on('exit', (code, signal) => {
      const signo = signal ? (signals[signal] ?? 0) : 0;
      this.#settle(signal ? [128 + signo, signo] : [code ?? 0, 0]);
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  #settle(exit: [number, number]): void {
    this.#exit = exit;
    this.#serve();
  }

  start(op: PendingOp): void {
    if (op.op !== OpCode.processWait) {
      this.#complete(op, err('ENOTSUP'));
      return;
    }
    this.pending.add(op);
    this.#waiters.push(op);
    this.#serve();
  }

  #serve(): void {
    while (this.#waiters.length > 0 && (this.#exit || this.#reaped)) {
      const op = this.#waiters.shift()!;
      this.pending.delete(op);
      if (this.#reaped || !this.#exit) {
        this.#complete(op, err('ECHILD'));
      } else {
        this.#reaped = true;
        this.#complete(op, this.#exit[0], this.#exit[1]);
      }
    }
  }

  cancel(op: PendingOp): boolean {
    const index = this.#waiters.indexOf(op);
    if (index < 0) return false;
    this.#waiters.splice(index, 1);
    this.pending.delete(op);
    return true;
  }

  close(done: (result: number) => void): void {
    for (const op of [...this.#waiters]) if (this.cancel(op)) this.#complete(op, err('ECANCELED'));
    queueMicrotask(() => done(0));
  }
}
