// The API-product workflow of issue 22, one node, as an operator runs it: a service that requires
// subscriptions with manual approval, applied from YAML; a key of an app that is not subscribed gets 403
// KW_ERR_NOT_SUBSCRIBED; the app subscribes (pending: still 403, and a `subscription` alert rule's webhook on
// loopback hears `subscription.pending`); `keyway subscriptions approve` lets it through under the
// subscription's plan (429 at that plan's limit, not the consumer's); suspend → 403, resume → 200, revoke →
// 403 for good. Bad moves are 409, a missing reason 400; every change has its audit row; export applies back
// unchanged. The node runs in this process on a pinned clock (no answer depends on the machine's speed); the
// CLI runs in its own process against the node's admin API.
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
import { startEcho, startServer, type TestServer } from '../helpers/upstream.js';

const YAML = (backend: string) =>
  [
    '_format_version: "1"',
    'plans:',
    '  - name: free',
    '    rate_limits: [{ limit: 100, window: 1s }]',
    '  - name: partner',
    '    rate_limits: [{ limit: 3, window: 1s }]',
    'services:',
    '  - name: weather',
    `    url: http://${backend}`,
    '    visibility: public',
    '    approval: manual',
    '    subscription_required: true',
    '    routes:',
    '      - name: weather',
    '        paths: [/weather]',
    '        plugins:',
    '          - name: key-auth',
    '          - name: rate-limit',
    'consumers:',
    '  - username: acme',
    '    plan: free',
    '    apps:',
    '      - name: dash',
    '',
  ].join('\n');

describe('subscriptions with approval (one node)', () => {
  let backend: TestServer;
  let hooks: TestServer;
  const heard: Array<Record<string, unknown>> = [];
  let node: RunningNode;
  let proxyUrl: string;
  let adminUrl: string;
  let token: string;
  let env: Record<string, string>;
  let dir: string;
  let key: string;
  let now = Date.UTC(2026, 11, 7, 12);
  const cli = async (args: string[]) => {
    const r = await runCli(args, env);
    // The node serves what the CLI changed before the next call (a reload under way is awaited).
    if (r.code === 0) await node.snapshots.refresh();
    return r;
  };
  const call = async () => {
    const res = await request(`${proxyUrl}/weather/now`, { headers: { apikey: key } });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  };
  const adminApi = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await request(`${adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.body.json()) as Record<string, unknown>;
    await node.snapshots.refresh();
    return { status: res.statusCode, json };
  };

  before(async () => {
    backend = await startEcho('weather-backend');
    hooks = await startServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        heard.push(JSON.parse(text) as Record<string, unknown>);
        res.writeHead(204).end();
      });
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'keyway-subs-'));
    node = await startNode({
      settings: loadSettings({
        env: {
          KEYWAY_DATA_DIR: dataDir,
          KEYWAY_PROXY_LISTEN: '127.0.0.1:0',
          KEYWAY_ADMIN_LISTEN: '127.0.0.1:0',
          KEYWAY_PORTAL_LISTEN: 'off',
        },
      }),
      logger: pino({ level: 'silent' }),
      clock: () => now,
    });
    proxyUrl = `http://${node.addresses.proxy}`;
    adminUrl = `http://${node.addresses.admin}`;
    token = readFileSync(node.adminTokenFile, 'utf8').trim();
    env = { KEYWAY_ADMIN_URL: adminUrl, KEYWAY_DATA_DIR: dataDir };
    dir = mkdtempSync(join(tmpdir(), 'keyway-subs-'));
    writeFileSync(join(dir, 'weather.yaml'), YAML(backend.address));
    const applied = await cli(['apply', '-f', join(dir, 'weather.yaml')]);
    assert.equal(applied.code, 0, applied.stderr);
    const rule = await adminApi('POST', '/alerts/rules', {
      name: 'approvals',
      kind: 'subscription',
      scope: { service: 'weather' },
      webhook_url: `http://${hooks.address}/hook`,
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.json));
    const created = await cli(['keys', 'create', '--app', 'dash', '--json']);
    assert.equal(created.code, 0, created.stderr);
    key = (JSON.parse(created.stdout) as { key: string }).key;
  });
  after(async () => {
    await node.stop();
    await backend.close();
    await hooks.close();
  });

  it('walks not subscribed → pending → approved (its plan) → suspended → resumed → revoked', async () => {
    const before = await call();
    assert.equal(before.status, 403);
    assert.match(before.body, /KW_ERR_NOT_SUBSCRIBED/);
    assert.match(before.body, /no approved subscription to service \\"weather\\"|service "weather"/);

    const sub = await adminApi('POST', '/subscriptions', {
      app: 'dash',
      service: 'weather',
      plan: 'partner',
    });
    assert.equal(sub.status, 201, JSON.stringify(sub.json));
    assert.equal(sub.json['status'], 'pending');
    assert.equal(sub.json['decided_by'], undefined);
    assert.equal((await call()).status, 403, 'pending is not approved');

    // The webhook hears it (delivered after the answer: waited for, with a bound far above what it takes).
    for (let i = 0; i < 500 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(heard.length, 1);
    assert.equal(heard[0]?.['event'], 'subscription.pending');
    assert.deepEqual((heard[0]?.['subscription'] as Record<string, unknown>)['app'], 'dash');

    const approved = await cli(['subscriptions', 'approve', 'dash@weather']);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /subscription dash@weather approved/);
    // The subscription's plan (3/s), not the consumer's (100/s): 429 at the fourth call of the instant.
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call());
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 429],
    );
    assert.equal(answers[0]?.headers['ratelimit-policy'], '"3-per-1s";q=3;w=1');

    const noReason = await cli(['subscriptions', 'suspend', 'dash@weather']);
    assert.notEqual(noReason.code, 0);
    assert.match(noReason.stderr, /reason/);
    const suspended = await cli(['subscriptions', 'suspend', 'dash@weather', '--reason', 'invoice overdue']);
    assert.equal(suspended.code, 0, suspended.stderr);
    now += 1_000;
    const whileSuspended = await call();
    assert.equal(whileSuspended.status, 403);
    assert.match(whileSuspended.body, /KW_ERR_NOT_SUBSCRIBED/);
    assert.doesNotMatch(whileSuspended.body, /invoice/, 'the reason is for admins, not callers');

    const approveSuspended = await cli(['subscriptions', 'approve', 'dash@weather', '--json']);
    assert.notEqual(approveSuspended.code, 0);
    assert.match(approveSuspended.stderr, /KW_ERR_SUBSCRIPTION_STATE/);

    const resumed = await cli(['subscriptions', 'resume', 'dash@weather']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await call()).status, 200);

    const revoked = await cli(['subscriptions', 'revoke', 'dash@weather', '--reason', 'contract ended']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((await call()).status, 403);
    const again = await adminApi('POST', '/subscriptions/dash@weather/approve', {});
    assert.equal(again.status, 409);
    assert.equal((again.json['error'] as { code: string }).code, 'KW_ERR_SUBSCRIPTION_STATE');
    assert.match((again.json['error'] as { message: string }).message, /revoked is final/);

    const listed = await cli(['subscriptions', 'list', '--status', 'revoked', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.['reason'], 'contract ended');
    assert.equal(rows[0]?.['decided_by'], 'admin');
    assert.equal(
      (
        JSON.parse(
          (await cli(['subscriptions', 'list', '--status', 'pending', '--json'])).stdout,
        ) as unknown[]
      ).length,
      0,
    );
  });

  it('every change has its audit row, naming who made it', async () => {
    const audit = await adminApi('GET', '/audit-log?limit=50');
    const rows = (audit.json['data'] as Array<Record<string, unknown>>).filter(
      (r) => r['kind'] === 'subscriptions',
    );
    const statuses = rows.map((r) => (r['after'] as { status?: string } | null)?.status).reverse();
    assert.deepEqual(statuses, ['pending', 'approved', 'suspended', 'approved', 'revoked']);
    for (const r of rows) assert.equal(r['key'], 'dash@weather');
  });

  it('export applies back unchanged, with the subscription and its status', async () => {
    const exported = await runCli(['export', '-o', join(dir, 'out.yaml')], env);
    assert.equal(exported.code, 0, exported.stderr);
    const text = readFileSync(join(dir, 'out.yaml'), 'utf8');
    assert.match(
      text,
      /subscriptions:\n {2}- app: dash\n {4}service: weather\n {4}plan: partner\n {4}status: revoked/,
    );
    assert.match(text, /subscription_required: true/);
    const drift = await runCli(['apply', '-f', join(dir, 'out.yaml'), '--dry-run', '--exit-code'], env);
    assert.equal(drift.code, 0, drift.stdout + drift.stderr);
    // A file that approves the revoked subscription is refused, and changes nothing.
    writeFileSync(join(dir, 'revive.yaml'), text.replace('status: revoked', 'status: approved'));
    const revive = await runCli(['apply', '-f', join(dir, 'revive.yaml')], env);
    assert.notEqual(revive.code, 0);
    assert.match(revive.stderr, /revoked and cannot become approved/);
    assert.equal((await call()).status, 403);
  });

  it('a file that subscribes an app leaves it pending, and the webhook hears it; auto approval approves', async () => {
    writeFileSync(
      join(dir, 'partners.yaml'),
      [
        '_format_version: "1"',
        '_info: { select_tags: [partners] }',
        'services:',
        '  - name: maps',
        `    url: http://${backend.address}`,
        '    approval: auto',
        '    subscription_required: true',
        'apps:',
        '  - name: beta',
        '    consumer: acme',
        'subscriptions:',
        '  - { app: beta, service: weather, plan: partner }',
        '  - { app: beta, service: maps }',
        '',
      ].join('\n'),
    );
    const applied = await cli(['apply', '-f', join(dir, 'partners.yaml')]);
    assert.equal(applied.code, 0, applied.stderr);
    for (let i = 0; i < 500 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(
      heard.length,
      2,
      'one more webhook: beta@weather (maps approved itself, and scope is weather)',
    );
    assert.equal((heard[1]?.['subscription'] as Record<string, unknown>)['app'], 'beta');
    const listed = await cli(['subscriptions', 'list', '--app', 'beta', '--json']);
    const rows = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(rows.map((r) => [r['service'], r['status'], r['decided_by']]).sort(), [
      ['maps', 'approved', 'auto-approval'],
      ['weather', 'pending', undefined],
    ]);
    // The same file again changes nothing, and tells nobody twice.
    const again = await runCli(['apply', '-f', join(dir, 'partners.yaml'), '--dry-run', '--exit-code'], env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    await cli(['apply', '-f', join(dir, 'partners.yaml')]);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(heard.length, 2);
  });

  it('a large document, applied on the config thread, still tells the pending subscription', async () => {
    // Over 64 KiB: the node parses, checks and applies it off the proxy's thread, and answers with the
    // result as JSON text; the pending subscription in it is found there.
    const filler = Array.from({ length: 80 }, (_, i) => ({
      name: `s${i}`,
      url: `http://${backend.address}`,
      description: 'x'.repeat(1000),
    }));
    const doc = {
      _format_version: '1',
      workspace: 'big',
      services: [
        ...filler,
        { name: 'weather', url: `http://${backend.address}`, subscription_required: true },
      ],
      consumers: [{ username: 'globex', apps: [{ name: 'globex-app' }] }],
      subscriptions: [{ app: 'globex-app', service: 'weather' }],
    };
    assert.ok(JSON.stringify(doc).length > 64 * 1024);
    const applied = await adminApi('POST', '/config', doc);
    assert.equal(applied.status, 200, JSON.stringify(applied.json).slice(0, 500));
    for (let i = 0; i < 500 && heard.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(heard.length, 3);
    const told = heard[2]?.['subscription'] as Record<string, unknown>;
    assert.deepEqual([told['workspace'], told['app'], told['service']], ['big', 'globex-app', 'weather']);
  });
});
