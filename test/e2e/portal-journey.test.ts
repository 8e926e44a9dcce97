// Scenario 7 through the portal's API, as a browser calls it (test/helpers/portal-browser.ts: cookies,
// Origin, CSRF header): a developer signs up on the portal's own listener, finds the public weather API in
// the catalogue (search, plans, OpenAPI document; the workspace-only service is not there), registers an
// app, creates a key (shown once), subscribes under the gold plan → pending, and the key gets 403
// KW_ERR_NOT_SUBSCRIBED; an admin approves through the admin API; the key works through the proxy; the
// usage API shows those calls, per app and per key, with the quota used; rotate keeps the old key through
// its grace, revoke ends the new one; a rejection's reason reaches the developer. Keyway runs as its own
// process (`keyway start`) on loopback ports.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { PortalBrowser, codeOf } from '../helpers/portal-browser.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';

const API = '/portal/api';
const PASSWORD = 'correct horse battery staple';

const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'Weather', version: '1.0.0' },
  paths: {
    '/weather/today': { get: { summary: "Today's weather", responses: { '200': { description: 'ok' } } } },
  },
};

function documentFor(backend: string): object {
  return {
    _format_version: '1',
    plans: [
      {
        name: 'gold',
        tags: ['portal'],
        description: 'For production',
        quotas: [{ limit: 1000, period: 'day' }],
      },
      { name: 'internal', quotas: [{ limit: 1_000_000, period: 'day' }] },
    ],
    services: [
      {
        name: 'weather',
        url: `http://${backend}`,
        description: 'Forecasts and observations',
        tags: ['forecast'],
        visibility: 'public',
        approval: 'manual',
        subscription_required: true,
        openapi: OPENAPI,
        routes: [
          {
            name: 'weather',
            paths: ['/weather'],
            plugins: [{ name: 'key-auth' }, { name: 'quota' }],
          },
        ],
      },
      {
        name: 'ledger',
        url: `http://${backend}`,
        description: 'Internal weather ledger',
        routes: [{ name: 'ledger', paths: ['/ledger'], plugins: [{ name: 'key-auth' }] }],
      },
    ],
  };
}

describe('developer portal: the journey through its API', () => {
  let kw: KeywayProcess;
  let backend: TestServer;
  let portal: string;

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await request(`${kw.adminUrl}${path}`, {
      method: method as 'GET',
      headers: {
        authorization: `Bearer ${kw.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
  };
  const call = async (key: string, path = '/weather/today') => {
    const res = await request(`${kw.proxyUrl}${path}`, { headers: { apikey: key } });
    const text = await res.body.text();
    return { status: res.statusCode, text };
  };

  before(async () => {
    backend = await startEcho('weather');
    kw = await startKeyway();
    assert.ok(kw.portalUrl, `the banner names the portal:\n${kw.output()}`);
    portal = kw.portalUrl;
    const applied = await admin('POST', '/config', documentFor(backend.address));
    assert.equal(applied.status, 200, JSON.stringify(applied.json));
  });
  after(async () => {
    await kw?.stop();
    await backend?.close();
  });

  it('walks sign-up → catalogue → app → key → subscribe → approval → calls → usage', async () => {
    const dev = new PortalBrowser(portal);
    const anon = await dev.get(`${API}/session`);
    assert.equal(anon.status, 200);
    assert.equal(anon.json['signed_in'], false);
    assert.equal(typeof anon.json['csrf_token'], 'string');
    assert.equal(anon.headers['cache-control'], 'no-store');
    assert.equal(anon.headers['x-content-type-options'], 'nosniff');

    // Sign-up signs in: an HttpOnly session cookie and a readable CSRF cookie, SameSite=Lax, not Secure on http.
    const signed = await dev.post(`${API}/signup`, { email: 'Dana@Globex.example', password: PASSWORD });
    assert.equal(signed.status, 201, JSON.stringify(signed.json));
    const session = signed.setCookies.find((c) => c.startsWith('kw_portal_session='));
    assert.ok(session !== undefined);
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Lax/);
    assert.doesNotMatch(session, /Secure/);
    const csrfCookie = signed.setCookies.find((c) => c.startsWith('kw_portal_csrf='));
    assert.ok(csrfCookie !== undefined);
    assert.doesNotMatch(csrfCookie, /HttpOnly/);
    // The session's id rotated: the CSRF token of the visit is not the session's.
    assert.notEqual(dev.cookie('kw_portal_csrf'), anon.json['csrf_token']);
    const me = await dev.get(`${API}/session`);
    assert.equal(me.json['signed_in'], true);
    assert.equal((me.json['developer'] as { email: string }).email, 'dana@globex.example');

    // The catalogue: public services only, with search; the workspace-only ledger is not there at all.
    const catalog = await dev.get(`${API}/catalog`);
    assert.deepEqual(
      (catalog.json['data'] as Array<{ name: string }>).map((s) => s.name),
      ['weather'],
    );
    assert.equal((await dev.get(`${API}/catalog?q=FORECAST`)).json['data'] instanceof Array, true);
    assert.equal(((await dev.get(`${API}/catalog?q=forecast`)).json['data'] as unknown[]).length, 1);
    assert.equal(((await dev.get(`${API}/catalog?q=ledger`)).json['data'] as unknown[]).length, 0);
    const detail = await dev.get(`${API}/catalog/default/weather`);
    assert.equal(detail.status, 200);
    assert.deepEqual(
      (detail.json['plans'] as Array<{ name: string }>).map((p) => p.name),
      ['gold'],
      'only plans tagged portal are offered',
    );
    assert.equal(detail.json['openapi'], true);
    const doc = await dev.get(`${API}/catalog/default/weather/openapi`);
    assert.deepEqual(doc.json, OPENAPI);
    // A document that is not OpenAPI 3 is refused at the admin API, naming the field, and changes nothing.
    const swagger2 = await admin('PATCH', '/services/weather', { openapi: { swagger: '2.0', info: {} } });
    assert.equal(swagger2.status, 400, JSON.stringify(swagger2.json));
    assert.match(JSON.stringify(swagger2.json), /\/openapi/);
    assert.deepEqual((await dev.get(`${API}/catalog/default/weather/openapi`)).json, OPENAPI);
    const hidden = await dev.get(`${API}/catalog/default/ledger`);
    assert.equal(hidden.status, 404);
    assert.equal(codeOf(hidden), 'KW_ERR_NOT_FOUND');

    // An app, and a key shown once; the list shows its visible id only.
    const created = await dev.post(`${API}/apps`, { name: 'dash', description: 'Globex dashboard' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json['name'], 'dash');
    const issued = await dev.post(`${API}/apps/default/dash/keys`, {});
    assert.equal(issued.status, 201, JSON.stringify(issued.json));
    const key = issued.json['key'] as string;
    const record = issued.json['record'] as { id: string; visible_id: string };
    assert.match(key, /^kw_live_/);
    const keys = await dev.get(`${API}/apps/default/dash/keys`);
    const listed = keys.json['data'] as Array<Record<string, unknown>>;
    assert.equal(listed.length, 1);
    assert.equal(listed[0]?.['visible_id'], record.visible_id);
    assert.ok(!JSON.stringify(keys.json).includes(key), 'the key is never listed');
    assert.ok(!('hash' in (listed[0] ?? {})));

    // Not subscribed yet: 403 from the proxy.
    const refused = await call(key);
    assert.equal(refused.status, 403);
    assert.match(refused.text, /KW_ERR_NOT_SUBSCRIBED/);

    // A plan the portal does not offer is refused, naming the field; gold is pending (manual approval).
    const internal = await dev.post(`${API}/apps/default/dash/subscriptions`, {
      service: 'weather',
      plan: 'internal',
    });
    assert.equal(internal.status, 400);
    assert.equal(codeOf(internal), 'KW_ERR_VALIDATION');
    assert.match(JSON.stringify(internal.json), /\/plan/);
    const hiddenSub = await dev.post(`${API}/apps/default/dash/subscriptions`, { service: 'ledger' });
    assert.equal(hiddenSub.status, 404, 'a workspace-only service cannot be subscribed to from the portal');
    const sub = await dev.post(`${API}/apps/default/dash/subscriptions`, {
      service: 'weather',
      plan: 'gold',
    });
    assert.equal(sub.status, 201, JSON.stringify(sub.json));
    assert.equal(sub.json['status'], 'pending');
    assert.equal((await call(key)).status, 403);

    // The admin's approval queue has it, under the developer's consumer; the admin approves.
    const queue = await admin('GET', '/subscriptions?status=pending');
    const pending = (queue.json['data'] as Array<{ id: string; app: string }>).find((s) =>
      s.app.endsWith('.dash'),
    );
    assert.ok(pending !== undefined, JSON.stringify(queue.json));
    const approved = await admin('POST', `/subscriptions/${pending.id}/approve`, {});
    assert.equal(approved.status, 200, JSON.stringify(approved.json));
    const mine = await dev.get(`${API}/subscriptions`);
    const status = (mine.json['data'] as Array<{ service: string; status: string; app: string }>)[0];
    assert.deepEqual([status?.app, status?.service, status?.status], ['dash', 'weather', 'approved']);

    // The key works through the proxy (the admin's answer came once this node served the change).
    for (let i = 0; i < 5; i++) {
      const ok = await call(key);
      assert.equal(ok.status, 200, ok.text);
    }

    // Usage shows the calls (records reach the rollups in batches: wait for them, no time asserted).
    let usage = await dev.get(`${API}/apps/default/dash/usage?since=1h`);
    for (
      let i = 0;
      i < 100 && ((usage.json['total'] as { count?: number } | undefined)?.count ?? 0) < 7;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 200));
      usage = await dev.get(`${API}/apps/default/dash/usage?since=1h`);
    }
    assert.equal(usage.status, 200, JSON.stringify(usage.json));
    const total = usage.json['total'] as { count: number; client_errors: number };
    assert.equal(total.count, 7, JSON.stringify(usage.json));
    assert.equal(total.client_errors, 2);
    type Quota = {
      service: string | null;
      plan: string | null;
      quotas: Array<{ used?: number; limit: number }>;
    };
    const quota = (usage.json['quota'] as Quota[]).find((q) => q.service === 'weather');
    assert.equal(quota?.plan, 'gold', JSON.stringify(usage.json['quota']));
    assert.equal(quota.quotas[0]?.limit, 1000);
    const perKey = await dev.get(`${API}/apps/default/dash/usage?since=1h&key=${record.id}`);
    assert.equal(perKey.status, 200, JSON.stringify(perKey.json));
    // The gold quota is counted per key: this key's five calls that got through.
    const keyQuota = (perKey.json['quota'] as Quota[]).find((q) => q.service === 'weather');
    assert.equal(keyQuota?.quotas[0]?.used, 5, JSON.stringify(perKey.json['quota']));
    const series = perKey.json['series'] as Array<{ count: number }>;
    assert.equal(
      series.reduce((n, b) => n + b.count, 0),
      7,
    );
    const overview = await dev.get(`${API}/usage?since=1h`);
    assert.deepEqual(
      (overview.json['apps'] as Array<{ app: string; count: number }>).map((a) => [a.app, a.count]),
      [['dash', 7]],
    );

    // Rotate with grace: both keys work; revoke the new one: 401.
    const rotated = await dev.post(`${API}/apps/default/dash/keys/${record.id}/rotate`, {
      grace_period_s: 3600,
    });
    assert.equal(rotated.status, 201, JSON.stringify(rotated.json));
    const fresh = rotated.json['key'] as string;
    assert.equal((await call(fresh)).status, 200);
    assert.equal((await call(key)).status, 200, 'the old key works through its grace period');
    const freshId = (rotated.json['record'] as { id: string }).id;
    const revoked = await dev.delete(`${API}/apps/default/dash/keys/${freshId}`);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.json));
    assert.equal(revoked.json['status'], 'revoked');
    assert.equal((await call(fresh)).status, 401);

    // Rename keeps the app's keys; the audit log names the developer.
    const renamed = await dev.patch(`${API}/apps/default/dash`, { description: 'Globex wall screen' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.json));
    const audit = await admin('GET', '/audit-log?workspace=default&limit=100');
    const actors = new Set((audit.json['data'] as Array<{ actor: string }>).map((e) => e.actor));
    assert.ok(actors.has('developer:dana@globex.example'), JSON.stringify([...actors]));
  });

  it('shows a rejected request with the admin’s reason', async () => {
    const dev = new PortalBrowser(portal);
    assert.equal((await dev.signUp('lee@initech.example', PASSWORD)).status, 201);
    assert.equal(
      (await dev.post(`${API}/apps`, { name: 'dash' })).status,
      201,
      'app names are per developer',
    );
    const sub = await dev.post(`${API}/apps/default/dash/subscriptions`, { service: 'weather' });
    assert.equal(sub.status, 201, JSON.stringify(sub.json));
    const rejected = await admin('POST', `/subscriptions/${sub.json['id'] as string}/reject`, {
      reason: 'Tell us about your use case at partners@example.com',
    });
    assert.equal(rejected.status, 200, JSON.stringify(rejected.json));
    const mine = await dev.get(`${API}/subscriptions`);
    const s = (mine.json['data'] as Array<{ status: string; reason?: string }>)[0];
    assert.equal(s?.status, 'rejected');
    assert.equal(s?.reason, 'Tell us about your use case at partners@example.com');
    // Cancelling removes it; the app can then be deleted, and its name is free again.
    assert.equal((await dev.delete(`${API}/subscriptions/default/${sub.json['id'] as string}`)).status, 204);
    assert.equal((await dev.delete(`${API}/apps/default/dash`)).status, 204);
    assert.deepEqual((await dev.get(`${API}/apps`)).json['data'], []);
  });
});
