#!/usr/bin/env node
'use strict';
// npm install hook. Uses a prebuild or an existing build when one matches; otherwise builds from source.
// A failed build must never fail the install (DESIGN.md section 4): another backend serves instead, and
// the registry reports why kqueue could not load. On Linux this builds the emulated test target (kqueue
// emulated on epoll), which the registry never picks by detection; on macOS and FreeBSD the real backend.
const { packageRoot, nodeGyp } = require('./native-build.cjs');

function hasBinary() {
  try {
    require('node-gyp-build').path(packageRoot);
    return true;
  } catch {
    return false;
  }
}

if (!['darwin', 'freebsd', 'linux'].includes(process.platform)) {
  console.warn(`@xev/backend-kqueue: skipped, kqueue exists only on macOS and FreeBSD (this is ${process.platform})`);
  process.exit(0);
}
try {
  if (hasBinary()) process.exit(0);
} catch {
  // fall through to a build
}
let status = 1;
try {
  status = nodeGyp(['rebuild', '--jobs=max']);
} catch (error) {
  console.warn(`@xev/backend-kqueue: ${error.message}`);
}
if (status !== 0) {
  console.warn(
    '@xev/backend-kqueue: WARNING: the native addon failed to build, so the kqueue backend is unavailable.\n' +
      '  xev falls back to another backend (portable). To use kqueue, install python3, make and a C++17\n' +
      '  compiler (Xcode command line tools on macOS), then run `npm rebuild @xev/backend-kqueue`.',
  );
}
process.exit(0);
