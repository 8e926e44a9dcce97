#!/usr/bin/env node
// Entry point of the `keyway` command. The CLI is TypeScript compiled to dist/ (`npm run build`).
// The young generation is held at its initial size while modules load (src/server/runtime-tuning.ts);
// `keyway start` releases it once the node serves.
import { holdYoungGeneration } from '../dist/src/server/runtime-tuning.js';

holdYoungGeneration();
const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
