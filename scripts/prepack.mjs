// `npm pack` / `npm publish`: build dist/ from clean, and ship the lock file as npm-shrinkwrap.json, so an
// install of the package gets exactly the dependency tree the tests ran on (npm's advice for daemons and
// command-line tools; an application's own `overrides`, such as cookie 1.x for Node 20, apply only there).
// KEYWAY_PACK_SKIP_BUILD=1 packs the dist/ already built: the test suite packs while its tests run from it.
import { copyFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (process.env.KEYWAY_PACK_SKIP_BUILD !== '1') {
  // A clean build: an incremental one would ship the output of sources deleted since.
  rmSync('dist', { recursive: true, force: true });
  const r = spawnSync('npm', ['run', 'build'], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
copyFileSync('package-lock.json', 'npm-shrinkwrap.json');
