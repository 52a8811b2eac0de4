// `npm install` hook: use a prebuild or an existing build, else compile from source. A failure must never
// fail the user's install (DESIGN.md §4): the registry then reports why io_uring is unusable, and another
// backend (epoll, or the portable one) serves.
'use strict';
const { packageRoot, nodeGyp } = require('./native-env.cjs');

function loads() {
  try {
    require('node-gyp-build')(packageRoot);
    return true;
  } catch {
    return false;
  }
}

if (process.platform !== 'linux') {
  console.warn('[@xev/backend-iouring] io_uring is Linux-only; skipping the native build.');
} else if (!loads()) {
  const status = nodeGyp(['rebuild']);
  if (status !== 0 || !loads()) {
    console.warn(
      '\n[@xev/backend-iouring] WARNING: the io_uring addon could not be built (node-gyp exited with ' +
        `${status}). xev will fall back to another backend. To build it, install python3, make and a C++ ` +
        'compiler (Debian: apt-get install python3 make g++), then run `npm rebuild @xev/backend-iouring`.\n',
    );
  }
}
process.exit(0);
