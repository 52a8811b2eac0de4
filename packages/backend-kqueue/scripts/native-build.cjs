'use strict';
// Shared helpers for the build scripts: where Node's own headers are and how to run node-gyp with them.
// node-gyp must never download headers (DESIGN.md section 7): we always pass --nodedir.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const packageRoot = path.resolve(__dirname, '..');

/** The Node install prefix whose include/node holds the headers of the running Node. */
function nodeDir() {
  const dir = path.dirname(path.dirname(process.execPath));
  if (!fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h'))) {
    throw new Error(`Node's headers are not at ${path.join(dir, 'include', 'node')}; install Node with its headers`);
  }
  return dir;
}

/** Runs node-gyp with `args` in the package root; returns the exit status. */
function nodeGyp(args) {
  const bin = require.resolve('node-gyp/bin/node-gyp.js');
  const result = spawnSync(process.execPath, [bin, ...args, `--nodedir=${nodeDir()}`], {
    cwd: packageRoot,
    stdio: 'inherit',
    env: { ...process.env, npm_config_nodedir: nodeDir() },
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

module.exports = { packageRoot, nodeDir, nodeGyp };
