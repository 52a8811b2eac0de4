import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README example runs and prints what its comments say', () => {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(readme)![1];
  const script = join(packageDir, `.readme-${process.pid}.mjs`);
  writeFileSync(script, code);
  try {
    const out = execFileSync(process.execPath, [script], { cwd: packageDir, encoding: 'utf8', timeout: 20_000 });
    expect(out.trim().split('\n')).toEqual(['hello', 'null']);
  } finally {
    rmSync(script, { force: true });
  }
});
