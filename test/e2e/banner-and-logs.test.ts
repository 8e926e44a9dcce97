/**
 * `keyway start` as a newcomer sees it: the human banner goes to stderr, the logs to stdout — JSON lines
 * when stdout is a pipe or a file (a log collector), readable lines with `log.format: pretty` (the default
 * when stdout is a terminal). The banner's hint names a command that works as it is invoked.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, ROOT } from '../helpers/keyway-process.js';
import { resolveLogFormat } from '../../src/server/logger.js';

/** Starts a node, waits for its banner, stops it, and returns what went to each stream. */
async function startAndStop(env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      KEYWAY_DATA_DIR: mkdtempSync(join(tmpdir(), 'keyway-banner-')),
      KEYWAY_PROXY_LISTEN: '127.0.0.1:0',
      KEYWAY_ADMIN_LISTEN: '127.0.0.1:0',
      KEYWAY_PORTAL_LISTEN: 'off',
      KEYWAY_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = once(child, 'exit');
  const deadline = Date.now() + 60_000;
  while (!/admin token/.test(stderr) && child.exitCode === null && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  await exited;
  return { stdout, stderr };
}

describe('banner and logs', () => {
  it('with stdout piped: the banner is on stderr and stdout holds only JSON log lines', async () => {
    const { stdout, stderr } = await startAndStop({ npm_command: '' });
    assert.match(stderr, /Keyway \d+\.\d+\.\d+ is running/);
    assert.match(stderr, /admin token\s+\S+admin-token/);
    assert.match(stderr, /console\s+http:\/\/127\.0\.0\.1:\d+\/console\//);
    assert.match(stderr, /keyway demo/, 'the hint names the demo backend');
    assert.doesNotMatch(stderr, /examples\/weather\.yaml/);
    const lines = stdout.split('\n').filter((l) => l !== '');
    assert.ok(lines.length >= 2, stdout);
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
    assert.doesNotMatch(stdout, /is running|admin token/);
  });

  it('started through npm (npm start, npx), the hint says npx keyway', async () => {
    const { stderr } = await startAndStop({ npm_command: 'run-script' });
    assert.match(stderr, /npx keyway demo/);
  });

  it('log.format pretty: readable lines instead of JSON', async () => {
    const { stdout } = await startAndStop({ KEYWAY_LOG_FORMAT: 'pretty', NO_COLOR: '1' });
    assert.match(stdout, /INFO.*serving config/);
    assert.ok(!stdout.split('\n').some((l) => l.startsWith('{')), stdout);
  });

  it('auto: pretty on a terminal, JSON otherwise', () => {
    assert.equal(resolveLogFormat('auto', true), 'pretty');
    assert.equal(resolveLogFormat('auto', false), 'json');
    assert.equal(resolveLogFormat('json', true), 'json');
    assert.equal(resolveLogFormat('pretty', false), 'pretty');
  });
});
