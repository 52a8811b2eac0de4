#!/usr/bin/env node
/** Placeholder replaced by the CLI commit; kept so the bin entry builds. */
process.stderr.write('xev-quant: CLI not built yet\n');
process.exitCode = 1;
