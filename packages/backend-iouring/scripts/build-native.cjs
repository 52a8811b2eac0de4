// Builds the addon with Node's local headers.
//   node scripts/build-native.cjs          build/Release, skipped when it is newer than every source
//   node scripts/build-native.cjs --force  build/Release, always
//   node scripts/build-native.cjs --asan   build/Debug with AddressSanitizer and UBSan (see test-asan.cjs)
// Release and Debug are configured separately and never `rebuild` (which would delete the other one).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { packageRoot, nodeGyp } = require('./native-env.cjs');

if (process.platform !== 'linux') {
  console.log('[@xev/backend-iouring] not Linux: no native build');
  process.exit(0);
}

const asan = process.argv.includes('--asan');
const force = process.argv.includes('--force');
const output = path.join(packageRoot, 'build', asan ? 'Debug' : 'Release', 'xev_iouring.node');

function newestSource() {
  const core = path.dirname(require.resolve('@xev/core/package.json', { paths: [packageRoot] }));
  const dirs = [path.join(packageRoot, 'src'), path.join(core, 'native', 'include', 'xev')];
  let newest = fs.statSync(path.join(packageRoot, 'binding.gyp')).mtimeMs;
  for (const dir of dirs) {
    for (const name of fs.readdirSync(dir)) {
      if (/\.(cc|h)$/.test(name)) newest = Math.max(newest, fs.statSync(path.join(dir, name)).mtimeMs);
    }
  }
  return newest;
}

if (!asan && !force && fs.existsSync(output) && fs.statSync(output).mtimeMs > newestSource()) {
  console.log('[@xev/backend-iouring] build/Release/xev_iouring.node is up to date');
  process.exit(0);
}

let status = nodeGyp(['configure'], asan ? ['-Dxev_sanitize=true'] : []);
if (status === 0) status = nodeGyp(['build', ...(asan ? ['--debug'] : [])]);
process.exit(status);
