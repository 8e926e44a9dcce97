#!/usr/bin/env node
// Entry point of the `keyway` command. The CLI is TypeScript compiled to dist/ (`npm run build`; the npm
// package ships it built). The young generation is held at its initial size while modules load
// (src/server/runtime-tuning.ts); `keyway start` releases it once the node serves.
let tuning;
try {
  tuning = await import('../dist/src/server/runtime-tuning.js');
} catch (err) {
  // A checkout that was never built: say so, rather than a module-resolution stack.
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('runtime-tuning')) {
    process.stderr.write(
      'keyway: this copy of Keyway is not built (no dist/): run npm run build (npm start builds and starts)\n',
    );
    process.exit(1);
  }
  throw err;
}
tuning.holdYoungGeneration();
const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2), process.env);
