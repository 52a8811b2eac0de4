// Runs the test suite against the sanitizer build (npm run build:asan first). The sanitizer runtimes
// must be loaded before anything else in the process, hence LD_PRELOAD; leak detection is off because
// V8 and Node keep allocations alive until exit by design.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { packageRoot } = require('./native-env.cjs');

const debug = path.join(packageRoot, 'build', 'Debug', 'xev_iouring.node');
if (!fs.existsSync(debug)) {
  console.error('build/Debug/xev_iouring.node is missing: run `npm run build:asan` first');
  process.exit(1);
}
const lib = (name) => execFileSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
const env = {
  ...process.env,
  LD_PRELOAD: [lib('libasan.so'), lib('libubsan.so')].join(':'),
  ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  XEV_IOURING_DEBUG: '1',
};
const vitest = path.join(path.dirname(require.resolve('vitest/package.json', { paths: [packageRoot] })), 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], { cwd: packageRoot, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
