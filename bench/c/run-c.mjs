// Builds the C reference programs in bench/c/ with cc into bench/.build/ (ignored by git: the script
// writes a .gitignore there) and runs them. A missing compiler skips the C column instead of failing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(benchDir, '.build');

/** The path of the compiled `bench/c/<name>.c`, compiling it if it is missing or older than its source. */
export function cProgram(name) {
  const source = join(benchDir, 'c', `${name}.c`);
  const binary = join(buildDir, name);
  mkdirSync(buildDir, { recursive: true });
  if (!existsSync(join(buildDir, '.gitignore'))) writeFileSync(join(buildDir, '.gitignore'), '*\n');
  if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
    try {
      execFileSync('cc', ['-O2', '-pthread', '-o', binary, source], { stdio: 'pipe' });
    } catch (error) {
      console.error(`could not compile ${source}: ${error.stderr ?? error.message}`);
      return null;
    }
  }
  return binary;
}

/** Runs a C reference and returns the JSON object it printed, or undefined if it could not run. */
export function runC(name, args) {
  const binary = cProgram(name);
  if (!binary) return undefined;
  const child = spawnSync(binary, args.map(String), { encoding: 'utf8' });
  if (child.status !== 0) {
    console.error(`${name} ${args.join(' ')} failed: ${child.stderr}`);
    return undefined;
  }
  return JSON.parse(child.stdout.trim().split('\n').pop());
}

/** The C mechanism that matches an xev backend, if we have a C reference for it. */
export function cBackend(backend) {
  return backend === 'io_uring' || backend === 'epoll' ? backend : undefined;
}
