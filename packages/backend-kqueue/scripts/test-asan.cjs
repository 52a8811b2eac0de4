#!/usr/bin/env node
'use strict';
// Runs the test suite against the sanitizer build (build/Debug, from `npm run build:asan`). Node itself is
// not instrumented, so gcc's ASan and UBSan runtimes are preloaded; leak detection is off because V8 and
// Node keep allocations alive until exit by design.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { packageRoot } = require('./native-build.cjs');

const addon = path.join(packageRoot, 'build', 'Debug', 'xev_kqueue.node');
if (!fs.existsSync(addon)) {
  console.error('build/Debug/xev_kqueue.node is missing: run `npm run build:asan` first');
  process.exit(1);
}
const runtime = (name) => execFileSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
const preload = [runtime('libasan.so'), runtime('libubsan.so')];
for (const lib of preload) {
  if (!path.isAbsolute(lib) || !fs.existsSync(lib)) {
    console.error(`gcc has no ${lib}; install gcc's sanitizer runtimes (libasan, libubsan)`);
    process.exit(1);
  }
}
const vitest = path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], {
  cwd: packageRoot,
  stdio: 'inherit',
  env: {
    ...process.env,
    LD_PRELOAD: preload.join(' '),
    ASAN_OPTIONS: 'detect_leaks=0',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    XEV_KQUEUE_DEBUG: '1',
  },
});
process.exit(result.status ?? 1);
