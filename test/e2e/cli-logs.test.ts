/**
 * `keyway logs` against real `keyway start` processes: `--tail N` and the note that more records match,
 * `--workspace`, `--follow` carrying on across a node restart, and polling that stays out of the node's
 * info log (a successful admin read logs at debug; a change still logs at info).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { BIN, runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';

/** Polls `check` until it holds; the deadline is generous because the machine is shared. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not within ${ms / 1000}s: ${what}`);
}

describe('keyway logs', () => {
  let echo: TestServer;
  let kw: KeywayProcess;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'keyway-logs-cli-'));

  async function call(path: string): Promise<void> {
    const res = await request(`${kw.proxyUrl}${path}`);
    await res.body.text();
    assert.equal(res.statusCode, 200, path);
  }

  before(async () => {
    echo = await startEcho();
    // Info level: what an operator runs with, and what the polling must not flood.
    kw = await startKeyway({ env: { KEYWAY_LOG_LEVEL: 'info' } });
    env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_ADMIN_TOKEN: kw.token };
    const file = (name: string, workspace: string, path: string): string => {
      const f = join(dir, name);
      writeFileSync(
        f,
        `_format_version: "1"\nworkspace: ${workspace}\nservices:\n  - name: echo\n    url: http://${echo.address}\n` +
          `    routes: [{ name: echo, paths: [${path}] }]\n`,
      );
      return f;
    };
    for (const [name, ws, path] of [
      ['a.yaml', 'default', '/a'],
      ['b.yaml', 'team-b', '/b'],
    ] as const) {
      const applied = await runCli(['apply', '-f', file(name, ws, path)], env);
      assert.equal(applied.code, 0, applied.stderr);
    }
    await eventually('routes served', async () => {
      const res = await request(`${kw.proxyUrl}/b/x`);
      await res.body.text();
      return res.statusCode === 200;
    });
    for (let i = 0; i < 5; i++) await call(`/a/${i}`);
    await call('/b/1');
    await eventually('records written', async () => {
      const r = await runCli(['logs', '--json', '--tail', '1000'], env);
      return r.stdout.trim().split('\n').filter(Boolean).length >= 7;
    });
  });
  after(async () => {
    await kw.stop();
    await echo.close();
  });

  it('--tail N prints the newest N, oldest first, and says that more match', async () => {
    const r = await runCli(['logs', '--tail', '2'], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', /GET {2}\/a\/4|GET {2}\/b\/1/);
    assert.match(r.stderr, /the newest 2 shown; more calls match/);
    const all = await runCli(['logs', '--tail', '1000'], env);
    assert.doesNotMatch(all.stderr, /more calls match/);
  });

  it('--workspace shows the calls of one workspace', async () => {
    const r = await runCli(['logs', '--workspace', 'team-b', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string; workspace: string });
    assert.ok(records.some((x) => x.path === '/b/1'));
    assert.ok(
      records.every((x) => x.workspace === 'team-b' && x.path.startsWith('/b/')),
      JSON.stringify(records),
    );
  });

  it('polling reads stay out of the info log; changes are still logged', () => {
    const lines = kw
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string; req?: { method: string; url: string } });
    const info = lines.filter((l) => l.level >= 30);
    assert.ok(!info.some((l) => l.req?.url?.startsWith('/logs') === true), 'no info line for GET /logs');
    assert.ok(!info.some((l) => l.msg === 'incoming request'), 'one line per request, not two');
    assert.ok(
      info.some((l) => l.req?.method === 'POST' && l.req.url.startsWith('/config')),
      `the applies are logged at info:\n${info.map((l) => JSON.stringify(l)).join('\n')}`,
    );
  });

  it('--follow carries on across a node restart', async () => {
    let out = '';
    let err = '';
    const follower: ChildProcess = spawn(process.execPath, [BIN, 'logs', '--follow', '--tail', '1'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    follower.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
    follower.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
    try {
      await eventually('the follower prints the newest record', () => out.includes('/'));
      const adminListen = new URL(kw.adminUrl).host;
      assert.equal(await kw.stop(), 0);
      await eventually('the follower notices', () => /lost the admin API/.test(err));
      kw = await startKeyway({
        dataDir: kw.dataDir,
        env: { KEYWAY_LOG_LEVEL: 'info', KEYWAY_ADMIN_LISTEN: adminListen },
      });
      await call('/a/after-restart');
      await eventually('the call after the restart is followed', () => out.includes('/a/after-restart'));
      assert.match(err, /reconnected/);
      assert.equal(follower.exitCode, null, 'still following');
    } finally {
      follower.kill('SIGTERM');
    }
  });
});
