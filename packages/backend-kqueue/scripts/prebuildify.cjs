#!/usr/bin/env node
'use strict';
// `prebuildify --napi --strip` against the running Node's headers (npm_config_nodedir), so it never
// downloads any. One N-API prebuild serves every Node version this package supports.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { packageRoot, nodeDir } = require('./native-build.cjs');

const bin = path.join(path.dirname(require.resolve('prebuildify/package.json')), 'bin.js');
const result = spawnSync(process.execPath, [bin, '--napi', '--strip', ...process.argv.slice(2)], {
  cwd: packageRoot,
  stdio: 'inherit',
  env: { ...process.env, npm_config_nodedir: nodeDir() },
});
process.exit(result.status ?? 1);
