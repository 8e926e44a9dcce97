// A checkout that was never built: `bin/keyway.js` says what to do instead of a module-resolution trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN } from '../helpers/keyway-process.js';

test('without dist/ the command explains how to build it, in one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-unbuilt-'));
  try {
    mkdirSync(join(dir, 'bin'));
    copyFileSync(BIN, join(dir, 'bin', 'keyway.js'));
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'keyway.js'), 'status'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^keyway: this copy of Keyway is not built \(no dist\/\): run npm run build/);
    assert.doesNotMatch(r.stderr, /ERR_MODULE_NOT_FOUND|at async/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
