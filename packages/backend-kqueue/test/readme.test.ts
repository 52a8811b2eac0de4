import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it("the README's example runs and prints what it says", () => {
  const root = join(import.meta.dirname, '..');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  // Inside the package, so that '@xev/backend-kqueue' resolves to this package as a user's would.
  const file = join(root, `.readme-example-${process.pid}.mjs`);
  writeFileSync(file, code!);
  try {
    expect(execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 10_000 })).toBe('hello kqueue\n');
  } finally {
    rmSync(file, { force: true });
  }
});
