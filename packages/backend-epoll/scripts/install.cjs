#!/usr/bin/env node
'use strict';
// npm install hook. Uses a prebuild or an existing build when one matches; otherwise builds from source.
// A failed build must never fail the install (DESIGN.md section 4): another backend serves instead, and
// the registry reports why epoll could not load.
const { packageRoot, nodeGyp } = require('./native-build.cjs');

function hasBinary() {
  try {
    require('node-gyp-build').path(packageRoot);
    return true;
  } catch {
    return false;
  }
}

if (process.platform !== 'linux') {
  console.warn(`@xev/backend-epoll: skipped, epoll exists only on Linux (this is ${process.platform})`);
  process.exit(0);
}
if (hasBinary()) process.exit(0);
let status = 1;
try {
  status = nodeGyp(['rebuild', '--jobs=max']);
} catch (error) {
  console.warn(`@xev/backend-epoll: ${error.message}`);
}
if (status !== 0) {
  console.warn(
    '@xev/backend-epoll: WARNING: the native addon failed to build, so the epoll backend is unavailable.\n' +
      '  xev falls back to another backend (io_uring or portable). To use epoll, install python3, make and\n' +
      '  a C++17 compiler, then run `npm rebuild @xev/backend-epoll`.',
  );
}
process.exit(0);
