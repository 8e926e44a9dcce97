// `npm test` prints one line per test file and every failure in full (name, error, stack), not raw TAP;
// the whole TAP goes to a file. Runs node's test runner on small fixture files with the project's reporter.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/keyway-process.js';

let dir: string;
let run: { status: number | null; stdout: string; tap: string };

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-reporter-'));
  // Fixtures end in .fixture.mjs: the project's own runner only picks up *.test.js.
  writeFileSync(
    join(dir, 'green.fixture.mjs'),
    `import { test } from 'node:test';
for (let i = 0; i < 30; i++) test('green number ' + i, () => {});
test('green skipped', { skip: 'not today' }, () => {});
console.log('chatter that only the TAP file keeps');
`,
  );
  writeFileSync(
    join(dir, 'red.fixture.mjs'),
    `import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
describe('the outer suite', () => {
  it('adds numbers', () => { assert.equal(1 + 1, 3); });
  it('passes beside it', () => {});
});
`,
  );
  writeFileSync(
    join(dir, 'hook.fixture.mjs'),
    `import { before, describe, it } from 'node:test';
describe('a suite whose store will not open', () => {
  before(() => { throw new Error('too many clients already'); });
  it('never runs', () => {});
});
`,
  );
  writeFileSync(
    join(dir, 'crash.fixture.mjs'),
    `console.error('about to crash');
throw new Error('boom while loading');
`,
  );
  const tapFile = join(dir, 'all.tap');
  const r = spawnSync(
    process.execPath,
    [
      '--test',
      `--test-reporter=${join(ROOT, 'scripts', 'test-reporter.mjs')}`,
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tapFile}`,
      join(dir, 'green.fixture.mjs'),
      join(dir, 'red.fixture.mjs'),
      join(dir, 'hook.fixture.mjs'),
      join(dir, 'crash.fixture.mjs'),
    ],
    { encoding: 'utf8', env: childEnv() },
  );
  let tap = '';
  try {
    tap = readFileSync(tapFile, 'utf8');
  } catch {
    // asserted below
  }
  run = { status: r.status, stdout: r.stdout + r.stderr, tap };
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** This file runs under the test runner itself, which marks its children: a nested runner must not look. */
function childEnv(): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _inner, ...env } = process.env;
  return { ...env, NO_COLOR: '1' };
}

test('a failing run exits non-zero', () => {
  assert.equal(run.status, 1, run.stdout);
});

test('passing tests are counted, not listed: one line per file', () => {
  assert.doesNotMatch(run.stdout, /green number 7/);
  assert.doesNotMatch(run.stdout, /chatter/);
  const green = run.stdout.split('\n').filter((l) => l.includes('green.fixture.mjs'));
  assert.equal(green.length, 1, run.stdout);
  assert.match(green[0] ?? '', /30 passed/);
  assert.match(green[0] ?? '', /1 skipped/);
  assert.ok(run.stdout.split('\n').length < 80, `compact:\n${run.stdout}`);
});

test('a failed test is shown with its full name, the error and the stack', () => {
  assert.match(run.stdout, /the outer suite › adds numbers/);
  assert.match(run.stdout, /Expected values to be strictly equal/);
  assert.match(run.stdout, /2 !== 3/);
  assert.match(run.stdout, /red\.fixture\.mjs:4/, 'a stack frame pointing at the failing line');
});

test('a file that dies outside any test shows why (its stderr)', () => {
  assert.match(run.stdout, /crash\.fixture\.mjs/);
  assert.match(run.stdout, /boom while loading/);
});

test("a suite whose hook fails shows the hook's error, not only its cancelled tests", () => {
  assert.match(run.stdout, /a suite whose store will not open \(a hook of the suite failed\)/);
  assert.match(run.stdout, /too many clients already/);
});

test('the summary counts everything; the full TAP is in the file', () => {
  assert.match(run.stdout, /31 passed.*4 failed.*1 skipped/s);
  assert.match(run.tap, /^TAP version 13/);
  assert.match(run.tap, /ok \d+ - green number 7/);
  assert.match(run.tap, /chatter that only the TAP file keeps/);
});
