import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.js';

// `optimizer-worker` is the module the optimizer's worker threads load (see src/optimizer/thread-runner.ts).
export default defineConfig(packageBuild({ index: 'src/index.ts', cli: 'src/cli/main.ts', 'optimizer-worker': 'src/optimizer/worker-task.ts', live: 'src/live/index.ts' }));
