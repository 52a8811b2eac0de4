#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { report } from '../backend/registry.js';
import { runConformance } from '../conformance/index.js';
import { formatReport } from './doctor.js';

const USAGE = `usage:
  xev doctor [--json]
      Lists every backend candidate, whether it is usable here and why, and the one a loop would pick.
  xev conformance [--backend NAME] [--mode attached|blocking] [--filter REGEXP] [--json]
      Runs the backend conformance suite. NAME is a registered backend (io_uring, epoll, kqueue,
      portable) or an installed package that exports one. Exit status 1 if any case failed.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'doctor') {
    const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
    const r = report();
    console.log(values.json ? JSON.stringify(r, null, 2) : formatReport(r));
    return r.selected ? 0 : 1;
  }
  if (command === 'conformance') {
    const { values } = parseArgs({
      args: rest,
      options: {
        backend: { type: 'string' },
        mode: { type: 'string', default: 'attached' },
        filter: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (values.mode !== 'attached' && values.mode !== 'blocking') {
      console.error(`--mode must be attached or blocking, not ${values.mode}`);
      return 2;
    }
    const backend = values.backend ?? report().selected ?? 'portable';
    const result = await runConformance({
      backend,
      mode: values.mode,
      ...(values.filter ? { filter: new RegExp(values.filter) } : {}),
      onResult: values.json
        ? undefined
        : (r) => {
            const mark = r.status === 'passed' ? 'ok  ' : r.status === 'skipped' ? 'skip' : 'FAIL';
            console.log(`${mark} ${r.group}: ${r.name} (${r.ms.toFixed(0)} ms)`);
            if (r.status !== 'passed' && r.error) console.log(`     ${r.error.split('\n').slice(0, r.status === 'failed' ? 6 : 1).join('\n     ')}`);
          },
    });
    const summary = { backend: result.backend, mode: result.mode, passed: result.passed, failed: result.failed, skipped: result.skipped };
    if (values.json) console.log(JSON.stringify(summary));
    else console.log(`\n${result.backend} (${result.mode}): ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`);
    return result.failed === 0 ? 0 : 1;
  }
  console.error(USAGE);
  return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
