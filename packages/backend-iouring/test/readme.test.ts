import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('the README example runs and prints what the README says', () => {
  const root = join(__dirname, '..');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(readme)![1];
  const expected = /\$ node example\.mjs\n([\s\S]*?)```/.exec(readme)![1].trim();
  // Written inside the package, so that `@xev/backend-iouring` resolves to this package (its dist).
  const file = join(root, 'example.mjs');
  writeFileSync(file, code);
  try {
    const r = spawnSync(process.execPath, [file], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(expected);
  } finally {
    rmSync(file, { force: true });
  }
});
