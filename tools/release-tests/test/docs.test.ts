import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './pack.js';

// Every ```js block in the guides (and the package READMEs' examples are tested in their packages) runs
// here as written, so the documentation cannot drift from the code. A block fenced ```js no-run is
// shown but not run (for example one that needs credentials).
const guideDir = join(root, 'docs', 'guide');
const guides = readdirSync(guideDir).filter((f) => f.endsWith('.md'));

function blocks(markdown: string): string[] {
  const found: string[] = [];
  for (const m of markdown.matchAll(/```js\n([\s\S]*?)```/g)) found.push(m[1]);
  return found;
}

describe.each(guides)('docs/guide/%s', (guide) => {
  const code = blocks(readFileSync(join(guideDir, guide), 'utf8'));
  it.each(code.map((source, i) => [i + 1, source] as const))('example %i runs', (_i, source) => {
    // Inside the repository, so that `@xev/*` resolves to the workspace packages.
    const dir = mkdtempSync(join(root, 'tools', 'release-tests', '.guide-'));
    try {
      const file = join(dir, 'example.mjs');
      writeFileSync(file, source);
      const run = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the guides', () => {
  it('exist for every topic the documentation promises', () => {
    for (const topic of ['getting-started', 'loop-and-completions', 'promise-api', 'backends', 'net', 'fs', 'quant-backtests', 'optimizer', 'live-trading']) expect(guides).toContain(`${topic}.md`);
  });
});
