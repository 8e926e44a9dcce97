// Runs every compiled test file (dist/**/*.test.js) with node's own test runner.
// Node 20's `--test` takes no globs, so the files are listed here.
// The console gets a compact report (scripts/test-reporter.mjs: a line per file, failures in full); the
// whole TAP stream, with every test's name and output, goes to dist/test-results.tap.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const roots = ['dist/src', 'dist/test'];
const files = [];
function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
}
roots.forEach(walk);
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
if (selected.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// Tests make their data dirs, certificates and logs under the OS temp dir: give the run one of its own
// (TMPDIR is what os.tmpdir() reads) and remove it afterwards, so a run leaves nothing behind.
const scratch = mkdtempSync(join(tmpdir(), 'keyway-test-'));
const tapFile = join('dist', 'test-results.tap');
const reporter = fileURLToPath(new URL('./test-reporter.mjs', import.meta.url));
const r = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-concurrency=2',
    `--test-reporter=${reporter}`,
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...selected,
  ],
  { stdio: 'inherit', env: { ...process.env, TMPDIR: scratch } },
);
rmSync(scratch, { recursive: true, force: true });
console.log(`full TAP output: ${tapFile}`);
process.exit(r.status ?? 1);
