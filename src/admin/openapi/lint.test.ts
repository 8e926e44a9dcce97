/**
 * Redocly CLI's recommended rules pass on the document a node serves, with only the exceptions
 * redocly.yaml (at the repository root) lists and justifies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAdmin } from '../../../test/helpers/admin-harness.js';
import { OPENAPI_PATH } from './document.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/@redocly/cli/bin/cli.js'), ...args], {
      cwd: root,
      // No telemetry and no update check: the test must not reach the network.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', CI: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('redocly lint (recommended, redocly.yaml) finds nothing in /openapi.json', async () => {
  const h = await startAdmin();
  const dir = await mkdtemp(join(tmpdir(), 'keyway-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    await writeFile(file, (await h.app.inject({ url: OPENAPI_PATH })).body);
    const r = await run(['lint', file, '--config', join(root, 'redocly.yaml'), '--format', 'json']);
    const report = JSON.parse(r.stdout) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }>;
    };
    const found = report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
    assert.deepEqual(found, []);
    assert.deepEqual(report.totals, { ...report.totals, errors: 0, warnings: 0 });
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await h.close();
  }
});
