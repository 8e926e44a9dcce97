// Issue 22's authorization, end to end on one node: roles, a CEL rule and an IP rule applied from YAML by
// `keyway apply`; a rule that does not compile refused with its field and position, nothing changed; a key
// with metadata (env, ip_allow) issued through the admin API; requests through the proxy; and
// `keyway explain` / `POST /explain` answering from the live snapshot without sending traffic.
// The node runs in this process on a pinned clock (StartOptions.clock): 12:00 in Paris unless moved.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { request } from 'undici';
import { startNode, type RunningNode } from '../../src/server/node.js';
import { loadSettings } from '../../src/server/settings.js';
import { runCli } from '../helpers/keyway-process.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';

const YAML = (backend: string, rule: string) =>
  [
    '_format_version: "1"',
    'plans:',
    '  - name: gold',
    '    scopes: [orders]',
    'services:',
    '  - name: orders',
    `    url: http://${backend}`,
    '    routes:',
    '      - name: orders',
    '        paths: [/orders]',
    '        plugins:',
    '          - name: key-auth',
    '            config: { required_scopes: [orders] }',
    '          - name: acl',
    '            config: { roles: [staff], methods: { DELETE: [orders-admin] } }',
    '          - name: access-rules',
    '            config:',
    '              rules:',
    '                - name: gold-office-hours',
    '                  when: >-',
    `                    ${rule}`,
    '                - name: prod-keys',
    '                  effect: allow',
    '                  when: has(key.metadata.env) && key.metadata.env == "prod"',
    '          - name: ip-restriction',
    '            config: { deny: [203.0.113.0/24] }',
    'consumers:',
    '  - username: acme',
    '    plan: gold',
    '    groups: [staff]',
    '    apps:',
    '      - name: acme-app',
    '        roles: [orders-admin]',
    '      - name: acme-reader',
    '',
  ].join('\n');

const GOOD_RULE =
  'plan == "gold" && (now.getHours("Europe/Paris") < 8 || now.getHours("Europe/Paris") >= 20)';

async function eventually(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not within ${ms / 1000}s: ${what}`);
}

describe('access control end to end (one node)', () => {
  let backend: TestServer;
  let node: RunningNode;
  let proxyUrl: string;
  let adminUrl: string;
  let token: string;
  let env: Record<string, string>;
  let dir: string;
  let now = Date.UTC(2026, 0, 15, 11, 0);
  const keys: Record<string, { key: string; id: string }> = {};
  const cli = (args: string[]) => runCli(args, env);
  const admin = async (method: string, path: string, body: unknown) => {
    const res = await request(`${adminUrl}${path}`, {
      method: method as 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };
  const status = async () => {
    const res = await request(`${adminUrl}/status`, { headers: { authorization: `Bearer ${token}` } });
    return (await res.body.json()) as Record<string, unknown>;
  };
  const call = async (method: string, key: string, ip = '198.51.100.1') => {
    const res = await request(`${proxyUrl}/orders`, {
      method: method as 'GET',
      headers: { apikey: key, 'x-forwarded-for': ip },
    });
    const text = await res.body.text();
    return { status: res.statusCode, code: /"code":"(KW_ERR_[A-Z_]+)"/.exec(text)?.[1] };
  };

  before(async () => {
    backend = await startEcho('orders-backend');
    const dataDir = mkdtempSync(join(tmpdir(), 'keyway-access-'));
    node = await startNode({
      settings: loadSettings({
        env: {
          KEYWAY_DATA_DIR: dataDir,
          KEYWAY_PROXY_LISTEN: '127.0.0.1:0',
          KEYWAY_ADMIN_LISTEN: '127.0.0.1:0',
          KEYWAY_PORTAL_LISTEN: 'off',
          KEYWAY_TRUSTED_PROXIES: '127.0.0.1/32',
        },
      }),
      logger: pino({ level: 'silent' }),
      clock: () => now,
    });
    proxyUrl = `http://${node.addresses.proxy}`;
    adminUrl = `http://${node.addresses.admin}`;
    token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    env = { KEYWAY_ADMIN_URL: adminUrl, KEYWAY_DATA_DIR: dataDir };
    dir = mkdtempSync(join(tmpdir(), 'keyway-access-yaml-'));
    writeFileSync(join(dir, 'orders.yaml'), YAML(backend.address, GOOD_RULE));
    const r = await cli(['apply', '-f', join(dir, 'orders.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    await node.snapshots.refresh();
    for (const [name, app, metadata] of [
      ['admin', 'acme-app', { env: 'prod', ip_allow: ['198.51.100.0/24', '2001:db8::/32'] }],
      ['reader', 'acme-reader', { env: 'prod' }],
      ['staging', 'acme-app', { env: 'staging' }],
    ] as const) {
      const created = await admin('POST', `/apps/${app}/keys`, { metadata });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const rec = created.body['record'] as { id: string };
      keys[name] = { key: String(created.body['key']), id: rec.id };
    }
  });
  after(async () => {
    await node.stop();
    await backend.close();
  });

  it('refuses a rule that does not compile, naming the field and the position, and changes nothing', async () => {
    const version = await status();
    writeFileSync(
      join(dir, 'broken.yaml'),
      YAML(backend.address, 'plan == "gold" && (now.getHours("Europe/Paris") < 8'),
    );
    const r = await cli(['apply', '-f', join(dir, 'broken.yaml')]);
    assert.notEqual(r.code, 0);
    // The file's line and column of the rule, the field's path, and the place inside the expression.
    assert.match(
      r.stderr,
      /broken\.yaml:\d+:\d+: \/services\/0\/routes\/0\/plugins\/2\/config\/rules\/0\/when: /,
    );
    assert.match(r.stderr, /not applied, nothing changed \(KW_ERR_VALIDATION\)/);
    assert.match(r.stderr, /rule "gold-office-hours": Expected RPAREN, got EOF \(at line 1, column 52\)/);
    const after = await status();
    assert.equal(after['config_version'], version['config_version']);
    // A bad address in a key's metadata is refused when the key is issued.
    const bad = await admin('POST', '/apps/acme-app/keys', { metadata: { ip_allow: ['10.0.0.0/40'] } });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /\/metadata\/ip_allow\/0/);
  });

  it('enforces roles, the rule, key metadata and IP rules on real requests', async () => {
    assert.equal((await call('GET', keys['admin']?.key ?? '')).status, 200);
    assert.equal((await call('DELETE', keys['admin']?.key ?? '')).status, 200);
    assert.deepEqual(await call('DELETE', keys['reader']?.key ?? ''), {
      status: 403,
      code: 'KW_ERR_ROLE_REQUIRED',
    });
    assert.deepEqual(await call('GET', keys['staging']?.key ?? ''), {
      status: 403,
      code: 'KW_ERR_ACCESS_DENIED',
    });
    assert.deepEqual(await call('GET', keys['admin']?.key ?? '', '192.0.2.1'), {
      status: 403,
      code: 'KW_ERR_IP_DENIED',
    });
    assert.deepEqual(await call('GET', keys['reader']?.key ?? '', '203.0.113.5'), {
      status: 403,
      code: 'KW_ERR_IP_DENIED',
    });
    now = Date.UTC(2026, 0, 15, 19, 0); // 20:00 in Paris
    assert.deepEqual(await call('GET', keys['admin']?.key ?? ''), {
      status: 403,
      code: 'KW_ERR_ACCESS_DENIED',
    });
    now = Date.UTC(2026, 0, 15, 11, 0);
  });

  it('keyway logs and the logs API say which check denied each call, and why', async () => {
    let lines: string[] = [];
    await eventually('records written', async () => {
      const r = await cli(['logs', '--tail', '1000']);
      lines = r.stdout.split('\n').filter((l) => l.includes('access=['));
      return lines.length >= 5;
    });
    assert.ok(
      lines.some((l) =>
        l.includes('access=[deny role: DELETE needs one of orders-admin; consumer acme holds roles staff]'),
      ),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => l.includes('access=[deny rule:allow: no allow rule matched ("prod-keys")]')));
    assert.ok(
      lines.some((l) => l.includes("access=[deny ip:key: 192.0.2.1 is not on the key's ip_allow list]")),
    );
    assert.ok(
      lines.some((l) => l.includes('access=[deny ip:route: 203.0.113.5 is on the deny list (route=orders)]')),
    );
    const api = await request(`${adminUrl}/logs?limit=1000`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = (await api.body.json()) as {
      data: Array<{ access: string | null; error_code: string | null }>;
    };
    const refused = page.data.filter((r) => r.error_code === 'KW_ERR_ACCESS_DENIED');
    assert.ok(refused.length >= 2);
    assert.ok(refused.every((r) => r.access?.startsWith('deny rule:') === true));
    // Never a key in a record.
    for (const k of Object.values(keys)) assert.doesNotMatch(JSON.stringify(page), new RegExp(k.key));
  });

  it('keyway explain says why, from the live snapshot, without sending traffic', async () => {
    const denied = await cli([
      'explain',
      '--key',
      keys['reader']?.id ?? '',
      'DELETE',
      '/orders',
      '--ip',
      '198.51.100.1',
    ]);
    assert.equal(denied.code, 1, denied.stderr);
    assert.match(denied.stdout, /^DENIED: DELETE \/orders/);
    assert.match(denied.stdout, /ok {4}route: route "orders" of service "orders"/);
    assert.match(denied.stdout, /ok {4}scope \(key-auth\): holds orders/);
    assert.match(denied.stdout, /ok {4}ip-restriction: passes/);
    assert.match(
      denied.stdout,
      /DENY {2}acl: DELETE needs one of orders-admin; consumer acme holds roles staff → KW_ERR_ROLE_REQUIRED/,
    );
    assert.match(denied.stdout, / {2}- {3}access-rules: not reached/);
    assert.match(
      denied.stdout,
      /caller: consumer acme, app acme-reader, credential .+; plan gold; roles staff/,
    );
    assert.doesNotMatch(denied.stdout, new RegExp(keys['reader']?.key ?? 'never'));

    const allowed = await cli([
      'explain',
      '--key',
      keys['admin']?.id ?? '',
      'GET',
      '/orders',
      '--ip',
      '2001:db8::7',
    ]);
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    assert.match(allowed.stdout, /^ALLOWED: GET \/orders/);
    assert.match(allowed.stdout, /ok {4}ip:key: 2001:db8::7 is allowed by the key's own address rules/);

    const offIp = await cli([
      'explain',
      '--key',
      keys['admin']?.id ?? '',
      'GET',
      '/orders',
      '--ip',
      '192.0.2.1',
      '--json',
    ]);
    assert.equal(offIp.code, 1);
    const body = JSON.parse(offIp.stdout) as {
      allowed: boolean;
      steps: Array<{ check: string; code?: string }>;
    };
    assert.equal(body.allowed, false);
    assert.deepEqual(body.steps.at(-1), {
      check: 'ip:key',
      outcome: 'deny',
      reason: "192.0.2.1 is not on the key's ip_allow list",
      code: 'KW_ERR_IP_DENIED',
    });

    // The API directly: a rule in force at a pinned hour, a credential-less caller, an unknown route.
    now = Date.UTC(2026, 0, 15, 6, 59); // 07:59 in Paris
    const api = await admin('POST', '/explain', {
      method: 'GET',
      path: '/orders',
      app: 'acme-app',
      client_ip: '198.51.100.1',
    });
    assert.equal(api.status, 200);
    assert.equal(api.body['allowed'], false);
    const steps = api.body['steps'] as Array<{ check: string; outcome: string; decisions?: unknown }>;
    const rules = steps.find((s) => s.check === 'access-rules');
    assert.equal(rules?.outcome, 'deny');
    assert.deepEqual(rules?.decisions, [
      { check: 'rule:gold-office-hours', effect: 'deny', reason: 'deny rule "gold-office-hours" matched' },
    ]);
    now = Date.UTC(2026, 0, 15, 11, 0);
    const anonymous = await admin('POST', '/explain', { method: 'GET', path: '/orders' });
    assert.deepEqual((anonymous.body['steps'] as unknown[]).at(-1), {
      check: 'identity',
      outcome: 'deny',
      reason: 'the route requires a credential; none was given (key, app or consumer)',
      code: 'KW_ERR_AUTH_MISSING',
    });
    // A consumer acting without an app holds no scope here (the plan's scopes come with its keys).
    const scopeless = await admin('POST', '/explain', { method: 'GET', path: '/orders', consumer: 'acme' });
    assert.deepEqual(
      (scopeless.body['steps'] as Array<{ check: string; code?: string }>).at(-1)?.code,
      'KW_ERR_FORBIDDEN',
    );
    const nowhere = await admin('POST', '/explain', { method: 'GET', path: '/nowhere', consumer: 'acme' });
    assert.equal((nowhere.body['steps'] as Array<{ code?: string }>)[0]?.code, 'KW_ERR_NO_ROUTE');
    const bad = await admin('POST', '/explain', { method: 'GET', path: '/orders', client_ip: 'nope' });
    assert.equal(bad.status, 400);
  });
});
