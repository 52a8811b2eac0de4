#!/usr/bin/env node
/** The `xev-quant` executable: a thin shell around {@link runCli} so the logic stays testable in-process. */
import { runCli } from './command.js';

// The first Ctrl-C (or SIGTERM) asks the running command to stop cleanly — an optimization finishes the
// batches in flight and prints the best result so far; a second one exits at once.
const stop = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (stop.signal.aborted) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  stop.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  progress: { write: (t) => process.stderr.write(t), tty: process.stderr.isTTY === true },
  signal: stop.signal,
}).then((code) => {
  process.exitCode = code;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
});
