import { describe, expect, it } from 'vitest';
import { Completion, Loop, OpCode, register, report, Timer } from '../src/index.js';
import { runConformance } from '../src/conformance/index.js';
// The worked example of docs/backend-authors.md, run as written.
import { backend } from '../../../docs/examples/minimal-backend.mjs';

describe('docs/backend-authors.md worked example', () => {
  it('registers, shows up in the report, and runs a loop', async () => {
    register(backend);
    const entry = report().candidates.find((c) => c.name === 'minimal');
    expect(entry?.status).toBe('usable');
    const loop = new Loop({ backend: 'minimal' });
    expect(loop.backendName).toBe('minimal');
    const order: string[] = [];
    new Timer().run(loop, new Completion(), 5, null, () => void order.push('timer'));
    loop.add(new Completion().prep(OpCode.nop).setCallback(() => void order.push('nop')));
    await loop.run('until_done');
    expect(order).toEqual(['nop', 'timer']);
    loop.close();
  });

  it('passes the loop, completion and timer rules of the conformance suite', async () => {
    const result = await runConformance({
      backend,
      filter: /^(rule 1: loop|rules 2-4: completions and callbacks|rule 6: timers): (?!an invalid handle)/,
    });
    const failures = result.results.filter((r) => r.status === 'failed');
    expect(failures).toEqual([]);
    expect(result.passed).toBeGreaterThan(40);
  });
});
