#!/usr/bin/env node
// Builds the per-platform prebuilt packages of the native backends:
//
//   node scripts/make-prebuilt-packages.mjs [--out DIR] [backend-iouring backend-epoll backend-kqueue]
//
// For each backend it runs the package's own `prebuilds` script (prebuildify --napi --strip, against the
// local Node headers), then writes DIR/<package>-<target>/ — for example @xev/backend-iouring-linux-x64-gnu —
// holding the addon and a package.json whose `os`, `cpu` and `libc` fields let npm install it only where
// it runs. At release, the backend's package.json lists these as optionalDependencies; @xev/core's loader
// tries such a package after an environment override and before the package's own builds.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string', default: join(root, 'dist-prebuilt') } } });
const backends = positionals.length ? positionals : ['backend-iouring', 'backend-epoll', 'backend-kqueue'];

/** The addon file name each backend's binding.gyp builds. */
function addonName(dir) {
  const gyp = readFileSync(join(dir, 'binding.gyp'), 'utf8');
  return /"target_name"\s*:\s*"([^"]+)"/.exec(gyp)[1];
}

function libc() {
  return process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
}

const made = [];
for (const folder of backends) {
  const dir = join(root, 'packages', folder);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (pkg.os && !pkg.os.includes(process.platform)) {
    console.log(`${pkg.name}: skipped, it does not run on ${process.platform}`);
    continue;
  }
  // Build in a scratch copy inside the repository (so node-addon-api and @xev/core still resolve):
  // prebuildify rebuilds build/ and would replace the checkout's own development build.
  const scratch = join(root, '.prebuild', folder);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  for (const entry of ['package.json', 'binding.gyp', 'src', 'scripts', 'emul']) {
    if (existsSync(join(dir, entry))) cpSync(join(dir, entry), join(scratch, entry), { recursive: true });
  }
  execFileSync('npm', ['run', 'prebuilds', '--ignore-scripts=false'], { cwd: scratch, stdio: 'inherit' });
  const platformDir = join(scratch, 'prebuilds', `${process.platform}-${process.arch}`);
  const binary = readdirSync(platformDir).find((f) => f.endsWith('.node'));
  if (!binary) throw new Error(`${pkg.name}: prebuildify produced no .node file in ${platformDir}`);
  const suffix = process.platform === 'linux' ? `linux-${process.arch}-${libc() === 'glibc' ? 'gnu' : 'musl'}` : `${process.platform}-${process.arch}`;
  const name = `${pkg.name}-${suffix}`;
  const out = join(values.out, name);
  mkdirSync(out, { recursive: true });
  const file = `${addonName(dir)}.node`;
  copyFileSync(join(platformDir, binary), join(out, file));
  const manifest = {
    name,
    version: pkg.version,
    description: `The prebuilt ${file} of ${pkg.name} for ${suffix} (N-API, any Node version that has it).`,
    license: pkg.license,
    os: [process.platform],
    cpu: [process.arch],
    ...(process.platform === 'linux' ? { libc: [libc()] } : {}),
    files: [file],
  };
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(out, 'README.md'), `# ${name}\n\nThe prebuilt native addon of \`${pkg.name}\` for ${suffix}. Install \`${pkg.name}\`; npm picks this package when it matches.\n`);
  made.push({ name, dir: out, backend: pkg.name });
  console.log(`${name}: ${join(out, file)}`);
}
if (existsSync(values.out)) writeFileSync(join(values.out, 'manifest.json'), `${JSON.stringify(made, null, 2)}\n`);
