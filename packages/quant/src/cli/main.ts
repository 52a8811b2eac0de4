#!/usr/bin/env node
/** The `xev-quant` executable: a thin shell around {@link runCli} so the logic stays testable in-process. */
import { runCli } from './command.js';

runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
}).then((code) => {
  process.exitCode = code;
});
