// Shared by the install and build scripts: where node-gyp is and which Node headers to build against.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const packageRoot = path.join(__dirname, '..');

/**
 * The Node install prefix, if it holds the headers (include/node/node_api.h). node-gyp is pointed at it
 * with --nodedir so it never downloads headers (the build machines have no network but the registries).
 */
function nodeDir() {
  const prefix = path.dirname(path.dirname(process.execPath));
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

/** node-gyp's entry script: ours (a dev dependency), else the copy npm runs install scripts with. */
function nodeGypBin() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js', { paths: [packageRoot] });
  } catch {
    return process.env.npm_config_node_gyp || null;
  }
}

/** Runs node-gyp with `args` (and `gypArgs` for gyp itself, after `--`); returns the exit status. */
function nodeGyp(args, gypArgs = []) {
  const bin = nodeGypBin();
  if (!bin) {
    console.error('[@xev/backend-iouring] node-gyp was not found');
    return 1;
  }
  const dir = nodeDir();
  const full = [bin, ...args, ...(dir ? [`--nodedir=${dir}`] : []), '--jobs=max', ...(gypArgs.length ? ['--', ...gypArgs] : [])];
  const result = require('node:child_process').spawnSync(process.execPath, full, { cwd: packageRoot, stdio: 'inherit' });
  return result.status ?? 1;
}

module.exports = { packageRoot, nodeDir, nodeGyp };
