#!/usr/bin/env node
// Generates native/include/xev/layout.h from src/backend/layout.ts so that C++ backends read the same
// slots as the loop. `--check` exits 1 when the committed header is stale (a test runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = readFileSync(join(root, 'src/backend/layout.ts'), 'utf8');
const headerPath = join(root, 'native/include/xev/layout.h');

/** Reads `export const Name = { key: number, ... } as const;` blocks; nothing else in layout.ts is data. */
function constObjects(text) {
  const objects = [];
  const block = /export const (\w+) = \{([\s\S]*?)\} as const;/g;
  for (let m; (m = block.exec(text)); ) {
    const fields = [];
    const body = m[2].replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    for (const f of body.matchAll(/(\w+):\s*(0x[0-9a-fA-F]+|\d+)/g)) fields.push([f[1], Number(f[2])]);
    objects.push([m[1], fields]);
  }
  return objects;
}

function constant(prefix, key) {
  return `${prefix}_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

function render() {
  const lines = [
    '// Generated from packages/core/src/backend/layout.ts by scripts/gen-layout-header.mjs. Do not edit.',
    '#pragma once',
    '',
    'namespace xev {',
    '',
  ];
  for (const [name, fields] of constObjects(source)) {
    const prefix = `k${name}`;
    for (const [key, value] of fields) lines.push(`constexpr int ${constant(prefix, key)} = ${value};`);
    lines.push('');
  }
  const objects = /export const SQE_OBJECTS = (\d+);/.exec(source);
  lines.push(`constexpr int kSqeObjects = ${objects[1]};`);
  const version = /CONTRACT_VERSION = (\d+)/.exec(readFileSync(join(root, 'src/backend/contract.ts'), 'utf8'));
  lines.push(`constexpr int kContractVersion = ${version[1]};`, '', '}  // namespace xev', '');
  return lines.join('\n');
}

const header = render();
if (process.argv.includes('--check')) {
  const current = readFileSync(headerPath, 'utf8');
  if (current !== header) {
    console.error(`${headerPath} is stale: run node scripts/gen-layout-header.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(headerPath, header);
}
