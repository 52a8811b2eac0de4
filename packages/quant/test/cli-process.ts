import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI (the package's test command builds first). */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** A CLI child process with its output collected as it arrives. */
export interface CliChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr contains a line matching `re` (rejects if the process exits first). */
  waitFor(re: RegExp): Promise<string>;
  /** Resolves with the exit code (or 128 + signal number). */
  exited: Promise<number>;
}

/** Spawns `node dist/cli.js ...args`. */
export function spawnCli(args: readonly string[]): CliChild {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const line = err.split('\n').find((l) => w.re.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    check();
  });
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`process exited (${code ?? signal}) before ${w.re}; stderr:\n${err}`));
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : signal === 'SIGINT' ? 2 : 0));
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (re) => new Promise((resolve, reject) => {
      waiters.push({ re, resolve, reject });
      check();
    }),
    exited,
  };
}
