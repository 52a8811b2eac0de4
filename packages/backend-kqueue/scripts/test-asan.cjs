#!/usr/bin/env node
'use strict';
// Runs the test suite against the sanitizer build (build/Debug, from `npm run build:asan`). Node itself is
// not instrumented, so the sanitizer runtimes are preloaded: gcc's libasan and libubsan on Linux
// (LD_PRELOAD), clang's ASan runtime on macOS (DYLD_INSERT_LIBRARIES; it carries UBSan's handlers too).
// Leak detection is off because V8 and Node keep allocations alive until exit by design.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { packageRoot } = require('./native-build.cjs');

const addon = path.join(packageRoot, 'build', 'Debug', 'xev_kqueue.node');
if (!fs.existsSync(addon)) {
  console.error('build/Debug/xev_kqueue.node is missing: run `npm run build:asan` first');
  process.exit(1);
}
const darwin = process.platform === 'darwin';
const compiler = darwin ? 'clang' : 'gcc';
const runtime = (name) => execFileSync(compiler, [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
const preload = darwin ? [runtime('libclang_rt.asan_osx_dynamic.dylib')] : [runtime('libasan.so'), runtime('libubsan.so')];
for (const lib of preload) {
  if (!path.isAbsolute(lib) || !fs.existsSync(lib)) {
    console.error(`${compiler} has no ${lib}; install the compiler's sanitizer runtimes`);
    process.exit(1);
  }
}
const vitest = path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], {
  cwd: packageRoot,
  stdio: 'inherit',
  env: {
    ...process.env,
    ...(darwin ? { DYLD_INSERT_LIBRARIES: preload.join(':') } : { LD_PRELOAD: preload.join(' ') }),
    ASAN_OPTIONS: 'detect_leaks=0',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    XEV_KQUEUE_DEBUG: '1',
  },
});
process.exit(result.status ?? 1);
