/**
 * Quota and new-network alerts on a real `keyway start` behind a trusted proxy: rules created through the
 * admin API (bad ones refused with the field named), a day quota of 5 telling the rule at 80 % (the 4th
 * call) and at 100 % (the 5th), a key used from a second /24 telling the `new_network` rule — each once,
 * signed, in `GET /alerts/history`. Webhooks are awaited with a bound, never a fixed sleep.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { verify } from '../../src/observe/alerts/webhook.js';
import { runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, startServer, type TestServer } from '../helpers/upstream.js';

interface Hook {
  path: string;
  body: string;
  json: Record<string, unknown> & { value: number; kind: string };
  timestamp: string;
  signature: string;
}

describe('quota and new-network alerts on a real node', () => {
  let echo: TestServer;
  let hook: TestServer;
  let kw: KeywayProcess;
  let key = '';
  const hooks: Hook[] = [];

  async function admin(method: string, path: string, body?: unknown) {
    const res = await request(`${kw.adminUrl}${path}`, {
      method: method as 'GET',
      headers: {
        authorization: `Bearer ${kw.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.statusCode, json: JSON.parse(await res.body.text()) as Record<string, unknown> };
  }
  const call = async (from: string): Promise<number> => {
    const res = await request(`${kw.proxyUrl}/weather`, {
      headers: { apikey: key, 'x-forwarded-for': from },
    });
    await res.body.text();
    return res.statusCode;
  };
  async function until(what: string, done: () => boolean): Promise<void> {
    for (let i = 0; !done(); i++) {
      assert.ok(i < 200, `timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  before(async () => {
    echo = await startEcho();
    hook = await startServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        hooks.push({
          path: req.url ?? '',
          body,
          json: JSON.parse(body) as Hook['json'],
          timestamp: String(req.headers['keyway-timestamp']),
          signature: String(req.headers['keyway-signature']),
        });
        res.writeHead(204).end();
      });
    });
    kw = await startKeyway({
      env: {
        KEYWAY_TRUSTED_PROXIES: '127.0.0.1',
        KEYWAY_RECORD_FLUSH_MS: '50',
        KEYWAY_POLL_INTERVAL_MS: '1000',
      },
    });
    const env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_DATA_DIR: kw.dataDir };
    const file = join(mkdtempSync(join(tmpdir(), 'keyway-alerts-node-')), 'api.yaml');
    writeFileSync(
      file,
      `_format_version: "1"
services:
  - name: weather
    url: http://${echo.address}
    routes:
      - { name: weather, paths: [/weather] }
    plugins:
      - name: key-auth
      - name: quota
        config: { quotas: [{ limit: 5, period: day, by: [consumer] }] }
consumers:
  - username: acme
    apps: [{ name: acme-app }]
`,
    );
    const applied = await runCli(['apply', '-f', file], env);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    const created = await admin('POST', '/apps/acme-app/keys', {});
    key = String(created.json['key']);
  });
  after(async () => {
    try {
      await kw.stop();
    } finally {
      await hook.close();
      await echo.close();
    }
  });

  it('refuses rules that make no sense, naming the field', async () => {
    const bad = [
      [{ kind: 'quota', threshold: 150 }, '/threshold'],
      [{ kind: 'new_network', network: { ipv4_prefix: 4 } }, '/network/ipv4_prefix'],
      [{ kind: 'new_network', threshold: 1 }, '/threshold'],
      [{ kind: 'error_rate' }, '/threshold'],
    ] as const;
    for (const [rule, path] of bad) {
      const res = await admin('POST', '/alerts/rules', {
        name: 'bad',
        webhook_url: `http://${hook.address}/bad`,
        ...rule,
      });
      assert.equal(res.status, 400, JSON.stringify(res.json));
      const error = res.json['error'] as { code: string; details?: Array<{ path: string }> };
      assert.equal(error.code, 'KW_ERR_VALIDATION');
      assert.ok(
        error.details?.some((d) => d.path === path),
        `${path} in ${JSON.stringify(error.details)}`,
      );
    }
  });

  it('tells the quota rule at 80 % and 100 %, and the network rule of a new /24, once each', async () => {
    const quota = await admin('POST', '/alerts/rules', {
      name: 'quotas',
      kind: 'quota',
      webhook_url: `http://${hook.address}/quota`,
    });
    assert.equal(quota.status, 201);
    assert.equal(quota.json['threshold'], 80);
    const net = await admin('POST', '/alerts/rules', {
      name: 'networks',
      kind: 'new_network',
      network: { learning_hours: 0 },
      webhook_url: `http://${hook.address}/net`,
    });
    assert.equal(net.status, 201);

    // The node applies configuration on its next poll: wait until a call goes through.
    let first = 0;
    for (let i = 0; i < 100 && (first = await call('203.0.113.7')) !== 200; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(first, 200);
    const statuses = [first];
    for (let i = 0; i < 5; i++) statuses.push(await call('203.0.113.8'));
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    await until('the quota webhooks', () => hooks.filter((h) => h.path === '/quota').length >= 2);
    const quotaHooks = hooks.filter((h) => h.path === '/quota');
    assert.deepEqual(quotaHooks.map((h) => h.json.value).sort(), [100, 80]);
    for (const h of quotaHooks)
      assert.ok(verify(String(quota.json['secret']), h.timestamp, h.body, h.signature), 'signed');

    // The same key from another /24. Refused by the quota, it was still used from there.
    assert.equal(await call('198.51.100.4'), 429);
    await until('the network webhook', () => hooks.some((h) => h.path === '/net'));
    const netHooks = hooks.filter((h) => h.path === '/net');
    assert.equal(netHooks.length, 1, 'the first network was learned; the second told once');
    const told = netHooks[0]?.json['network'] as Record<string, unknown>;
    assert.equal(told['network'], '198.51.100.0/24');
    assert.equal(told['previous_networks'], 1);
    assert.equal(told['consumer'], 'acme');
    assert.ok(!JSON.stringify(hooks.map((h) => h.body)).includes(key), 'no webhook carries the key');

    const history = await admin('GET', '/alerts/history');
    const rows = history.json['data'] as Array<{ rule_name: string; value: number; delivery_status: number }>;
    assert.deepEqual(rows.map((r) => [r.rule_name, r.value, r.delivery_status]).sort(), [
      ['networks', 1, 204],
      ['quotas', 100, 204],
      ['quotas', 80, 204],
    ]);
    assert.ok(!kw.output().includes(key), 'the key is in no log line');
  });
});
