import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The published packages, by name, with their folders. */
export const packages: Record<string, string> = {
  '@xev/core': 'packages/core',
  '@xev/net': 'packages/net',
  '@xev/fs': 'packages/fs',
  '@xev/quant': 'packages/quant',
  '@xev/backend-iouring': 'packages/backend-iouring',
  '@xev/backend-epoll': 'packages/backend-epoll',
  '@xev/backend-kqueue': 'packages/backend-kqueue',
};

/** Packs `name` into `dir`; returns the tarball's path. */
export function pack(name: string, dir: string): string {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: join(root, packages[name]), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(out) as { filename: string }[];
  return join(dir, info.filename);
}

/** The files `npm pack` would publish for `name`. */
export function packedFiles(name: string): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: join(root, packages[name]), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(out) as { files: { path: string }[] }[];
  return info.files.map((f) => f.path).sort();
}

/** A fresh project outside the repository with `tarballs` installed; returns its folder. */
export function projectWith(tarballs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'xev-consumer-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: dir, stdio: 'pipe', timeout: 540_000 });
  return dir;
}

/** Runs an ES module program in `dir`; returns its standard output. */
export function runIn(dir: string, program: string): string {
  writeFileSync(join(dir, 'main.mjs'), program);
  return execFileSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8' });
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}
