// Journey 2 of SCENARIOS.md with a real `keyway start` process: key-auth on /weather, consumer acme, app
// acme-dashboard, a key from the CLI, rotation with a grace period, revocation.
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, type Echo, type TestServer } from '../helpers/upstream.js';

describe('keys for partners', () => {
  let backend: TestServer;
  let kw: KeywayProcess;
  let env: Record<string, string>;
  const seen: string[] = [];

  const call = async (key?: string) => {
    const res = await request(`${kw.proxyUrl}/weather/today`, {
      headers: key === undefined ? {} : { apikey: key },
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  };
  /** Polls until `path` answers `status` (config and key changes reach the data plane asynchronously). */
  const until = async (key: string | undefined, status: number, ms = 10_000): Promise<number> => {
    const deadline = Date.now() + ms;
    let last = 0;
    while (Date.now() < deadline) {
      last = (await call(key)).status;
      if (last === status) return last;
      await sleep(50);
    }
    return last;
  };
  const cli = async (args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const keyIn = (text: string): string => {
    const m = /^ {2}(kw_live_\S+)$/m.exec(text);
    assert.ok(m?.[1] !== undefined, text);
    seen.push(m[1]);
    return m[1];
  };

  before(async () => {
    backend = await startEcho('weather-backend');
    kw = await startKeyway();
    env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_DATA_DIR: kw.dataDir };
    const dir = mkdtempSync(join(tmpdir(), 'keyway-keys-yaml-'));
    const file = join(dir, 'weather.yaml');
    writeFileSync(
      file,
      [
        '_format_version: "1"',
        'services:',
        '  - name: weather',
        `    url: http://${backend.address}`,
        '    routes:',
        '      - name: weather',
        '        paths: [/weather]',
        '        plugins:',
        '          - name: key-auth',
        '            config: { hide_credentials: true }',
        'consumers:',
        '  - username: acme',
        '    apps:',
        '      - name: acme-dashboard',
        '',
      ].join('\n'),
    );
    await cli(['apply', '-f', file]);
  });
  after(async () => {
    await kw.stop();
    await backend.close();
  });

  it('keeps the hashing secret in <data dir>/secret with mode 0600', () => {
    assert.equal(statSync(join(kw.dataDir, 'secret')).mode & 0o777, 0o600);
  });

  it('issues a key once and lets Acme through; no key → 401 with WWW-Authenticate; a typo → 401', async () => {
    const out = await cli(['keys', 'create', '--app', 'acme-dashboard', '--tier', 'gold']);
    assert.match(out, /shown once/);
    const key = keyIn(out);
    assert.equal(await until(key, 200), 200);
    const ok = await call(key);
    const echo = JSON.parse(ok.text) as Echo;
    assert.equal(echo.headers['x-consumer-username'], 'acme');
    assert.equal(echo.headers['apikey'], undefined, 'hidden from the backend');

    const none = await call();
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Key realm="keyway", header="apikey"');
    const typo = await call(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'));
    assert.equal(typo.status, 401);
    assert.match(typo.text, /KW_ERR_AUTH_INVALID/);
    assert.equal(
      typo.headers['www-authenticate'],
      'Key realm="keyway", header="apikey", error="invalid_key"',
    );

    const list = await cli(['keys', 'list', '--app', 'acme-dashboard']);
    assert.match(list, /kw_live_\w{4}…/);
    assert.ok(!list.includes(key), 'lists never show the key');
  });

  it('rotates with a 24 h grace period: the old and the new key both work', async () => {
    // The end of the grace period is proved on an injected clock (test/auth/key-rotation.test.ts): a
    // real process cannot be made to wait 24 h, and a short grace would make this test race the clock.
    const listed = JSON.parse(await cli(['keys', 'list', '--json'])) as Array<{ id: string }>;
    const oldId = listed[0]?.id ?? '';
    const oldKey = seen[0] ?? '';
    const out = await cli(['keys', 'rotate', oldId, '--grace', '24h']);
    const newKey = keyIn(out);
    assert.match(out, /old key kw_live_\w{4}… works until/);
    assert.equal((await call(oldKey)).status, 200);
    assert.equal((await call(newKey)).status, 200);
    const after = JSON.parse(await cli(['keys', 'list', '--json'])) as Array<{
      id: string;
      state: string;
      grace_until?: string;
    }>;
    const old = after.find((k) => k.id === oldId);
    assert.equal(old?.state, 'grace');
    const left = Date.parse(old?.grace_until ?? '') - Date.now();
    assert.ok(left > 23 * 3_600_000 && left <= 24 * 3_600_000, `grace_until ${old?.grace_until}`);
  });

  it('revokes outright: the very next request gets 401', async () => {
    const key = seen[1] ?? '';
    const listed = JSON.parse(await cli(['keys', 'list', '--json'])) as Array<{ id: string; state: string }>;
    const active = listed.find((k) => k.state === 'active');
    assert.ok(active !== undefined);
    assert.equal((await call(key)).status, 200);
    const out = await cli(['keys', 'revoke', active.id]);
    assert.match(out, /revoked/);
    assert.equal((await call(key)).status, 401);
  });

  it('never prints a key in the node’s output, and the audit log holds no key or hash', async () => {
    const res = await request(`${kw.adminUrl}/audit-log?limit=100`, {
      headers: { authorization: `Bearer ${kw.token}` },
    });
    const audit = await res.body.text();
    assert.match(audit, /api_keys/);
    for (const key of seen) {
      assert.ok(!kw.output().includes(key.slice(8, 30)));
      assert.ok(!audit.includes(key.slice(8, 30)));
    }
    assert.doesNotMatch(audit, /"hash"/);
  });
});
