#!/usr/bin/env node
// Entry point of the `keyway` command. The CLI is TypeScript compiled to dist/ (`npm run build`).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
