#!/usr/bin/env node
'use strict';
// Builds the addon from source against the running Node's headers.
//   node scripts/build-native.cjs          -> build/Release (optimised)
//   node scripts/build-native.cjs --asan   -> build/Debug with AddressSanitizer and UBSan, next to Release,
//                                             loaded by the tests when XEV_KQUEUE_DEBUG=1 (npm run test:asan)
const { nodeGyp } = require('./native-build.cjs');

const asan = process.argv.includes('--asan');
const jobs = '--jobs=max';
let status;
if (asan) {
  // configure + build (not rebuild) keeps build/Release in place: both configurations share one Makefile.
  status = nodeGyp(['configure']);
  if (status === 0) status = nodeGyp(['build', '--debug', jobs]);
} else {
  status = nodeGyp(['rebuild', jobs]);
}
process.exit(status);
