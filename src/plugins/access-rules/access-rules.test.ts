/**
 * access-rules through the real proxy: key-auth and jwt-auth identify the caller, the rules run in the
 * authorize phase of a data plane on port 0 in front of a real echo server, with the node clock pinned
 * (PluginServices.now), and each call's record is read back from the call observer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startGateway, state, type TestGateway } from '../../../test/helpers/gateway.js';
import { startEcho, type TestServer } from '../../../test/helpers/upstream.js';
import { MemoryKeys } from '../../../test/helpers/api-keys.js';
import { hmacToken, now } from '../../../test/auth/support/keys.js';
import { RecordsById } from '../../../test/observe/records-by-id.js';
import { ApiKeyResolver } from '../../keys/api-key-resolver.js';
import { AuthReasons } from '../../observe/auth-reasons.js';
import { CallObserver } from '../../observe/call-observer.js';
import { ProxyMetrics } from '../../observe/metrics.js';
import type { CallRecord } from '../../observe/records/call-record.js';
import type { ConfigState } from '../../model/index.js';
import { checkConfig } from '../../snapshot/check.js';

const SECRET = 'an-access-rules-secret-of-32-bytes-or-more';
const ISS = 'https://idp.example';
/** 15 January 2026: Paris is UTC+1. */
const paris = (hh: number, mm: number): number => Date.UTC(2026, 0, 15, hh - 1, mm);

describe('access-rules plugin', () => {
  const store = new MemoryKeys();
  const resolver = new ApiKeyResolver(store, store.hasher, { pollMs: 0, negativeTtlMs: 0 });
  const ring = new RecordsById();
  const reasons = new AuthReasons();
  const metrics = new ProxyMetrics({
    configVersion: () => 1,
    storePing: () => Promise.resolve(),
    recordsDropped: () => 0,
    recordsBuffered: () => 0,
  });
  let echo: TestServer;
  let gw: TestGateway;
  let cfg: ConfigState;
  let clock = paris(12, 0);
  const keys: Record<string, string> = {};

  before(async () => {
    echo = await startEcho();
    cfg = state({
      services: [{ name: 'svc', url: `http://${echo.address}` }],
      routes: [
        { name: 'reports', service: 'svc', paths: ['/reports'] },
        { name: 'teams', service: 'svc', paths: ['/teams/:team'] },
        { name: 'deploys', service: 'svc', paths: ['/deploys'] },
        { name: 'beta', service: 'svc', paths: ['/beta'] },
      ],
      plans: [{ name: 'gold' }, { name: 'silver' }],
      consumers: [
        { username: 'acme', plan: 'gold' },
        { username: 'initech', plan: 'silver' },
        { username: 'svc-a' },
      ],
      apps: [
        { name: 'acme-app', consumer: 'acme' },
        { name: 'initech-app', consumer: 'initech' },
      ],
      plugins: [
        { name: 'key-auth', route: 'reports', config: {} },
        {
          name: 'access-rules',
          route: 'reports',
          config: {
            rules: [
              {
                name: 'gold-office-hours',
                when: 'plan == "gold" && (now.getHours("Europe/Paris") < 8 || now.getHours("Europe/Paris") >= 20)',
                effect: 'deny',
              },
            ],
          },
        },
        {
          name: 'jwt-auth',
          route: 'teams',
          config: { issuers: [{ issuer: ISS, keys: [{ secret: SECRET }] }], audiences: ['api'] },
        },
        {
          name: 'access-rules',
          route: 'teams',
          config: {
            rules: [{ name: 'own-team', when: 'claims.team_id == request.params.team', effect: 'allow' }],
          },
        },
        { name: 'key-auth', route: 'deploys', config: {} },
        {
          name: 'access-rules',
          route: 'deploys',
          config: {
            rules: [
              {
                name: 'prod-keys',
                when: 'has(key.metadata.env) && key.metadata.env == "prod"',
                effect: 'allow',
              },
              { name: 'reads-anyone', when: 'true', effect: 'allow', methods: ['GET'] },
            ],
          },
        },
        { name: 'key-auth', route: 'beta', config: {} },
        {
          name: 'access-rules',
          route: 'beta',
          config: {
            rules: [
              { name: 'no-silver', when: 'plan == "silver"', mode: 'shadow' },
              { name: 'needs-header', when: '!("x-beta" in request.headers)', mode: 'shadow' },
            ],
          },
        },
      ],
    });
    const app = (name: string): string => cfg.workspaces[0]?.apps.find((a) => a.name === name)?.id ?? '';
    keys['gold'] = store.issue(app('acme-app')).key;
    keys['silver'] = store.issue(app('initech-app')).key;
    keys['prod'] = store.issue(app('initech-app'), { metadata: { env: 'prod' } }).key;
    keys['staging'] = store.issue(app('initech-app'), { metadata: { env: 'staging' } }).key;
    const observer = new CallObserver({ records: ring, metrics, reasons, capture: undefined, trace: false });
    gw = await startGateway(cfg, { services: { apiKeys: resolver, now: () => clock }, observer });
  });
  after(async () => {
    await gw.close();
    await echo.close();
    await resolver.close();
    reasons.close();
  });

  async function call(
    method: string,
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; code: string | undefined; text: string; record: CallRecord }> {
    const res = await request(`${gw.url}${path}`, { method: method as 'GET', headers });
    const text = await res.body.text();
    const record = await ring.recordOf(String(res.headers['x-request-id']));
    const code = /"code":"(KW_ERR_[A-Z_]+)"/.exec(text)?.[1];
    return { status: res.statusCode, code, text, record };
  }

  it('gold plan only 08:00–20:00 Europe/Paris: 07:59 no, 08:00 yes, 20:00 no; other plans always', async () => {
    const at = async (hh: number, mm: number, key: string) => {
      clock = paris(hh, mm);
      return call('GET', '/reports', { apikey: key });
    };
    const early = await at(7, 59, keys['gold'] ?? '');
    assert.equal(early.status, 403);
    assert.equal(early.code, 'KW_ERR_ACCESS_DENIED');
    // The client is not told the rule; the record is.
    assert.doesNotMatch(early.text, /gold-office-hours/);
    assert.equal(early.record.access, 'deny rule:gold-office-hours: deny rule "gold-office-hours" matched');
    assert.equal(early.record.error_code, 'KW_ERR_ACCESS_DENIED');
    assert.equal(early.record.consumer, 'acme');
    assert.equal((await at(8, 0, keys['gold'] ?? '')).status, 200);
    assert.equal((await at(19, 59, keys['gold'] ?? '')).status, 200);
    assert.equal((await at(20, 0, keys['gold'] ?? '')).status, 403);
    // Summer time: Paris is UTC+2, so 08:00 there is 06:00 UTC.
    clock = Date.UTC(2026, 6, 15, 5, 59);
    assert.equal((await call('GET', '/reports', { apikey: keys['gold'] ?? '' })).status, 403);
    clock = Date.UTC(2026, 6, 15, 6, 0);
    assert.equal((await call('GET', '/reports', { apikey: keys['gold'] ?? '' })).status, 200);
    const silver = await at(23, 30, keys['silver'] ?? '');
    assert.equal(silver.status, 200);
    assert.equal(silver.record.access, null);
    clock = paris(12, 0);
  });

  it('claim team_id equals path param team', async () => {
    // jwt-auth judges `exp` by the real clock (jose), not the pinned one the rules read.
    const token = (team: string) =>
      hmacToken(
        { alg: 'HS256' },
        { iss: ISS, aud: 'api', sub: 'svc-a', team_id: team, exp: now() + 600 },
        SECRET,
      );
    assert.equal((await call('GET', '/teams/red', { authorization: `Bearer ${token('red')}` })).status, 200);
    const other = await call('GET', '/teams/blue', { authorization: `Bearer ${token('red')}` });
    assert.equal(other.status, 403);
    assert.equal(other.code, 'KW_ERR_ACCESS_DENIED');
    assert.equal(other.record.access, 'deny rule:allow: no allow rule matched ("own-team")');
    // No token claim at all: the rule fails to evaluate, and an allow rule that errors does not allow.
    const none = hmacToken(
      { alg: 'HS256' },
      { iss: ISS, aud: 'api', sub: 'svc-a', exp: now() + 600 },
      SECRET,
    );
    const missing = await call('GET', '/teams/red', { authorization: `Bearer ${none}` });
    assert.equal(missing.status, 403);
    assert.match(missing.record.access ?? '', /"own-team": evaluation error: No such key: team_id/);
  });

  it('key metadata env == prod, with a per-method allow rule beside it', async () => {
    assert.equal((await call('POST', '/deploys', { apikey: keys['prod'] ?? '' })).status, 200);
    const staging = await call('POST', '/deploys', { apikey: keys['staging'] ?? '' });
    assert.equal(staging.status, 403);
    assert.equal(staging.record.access, 'deny rule:allow: no allow rule matched ("prod-keys")');
    // A key with no metadata: has() keeps the rule from erroring, it simply does not match.
    assert.equal((await call('POST', '/deploys', { apikey: keys['silver'] ?? '' })).status, 403);
    // GET has an allow rule of its own that matches anyone.
    assert.equal((await call('GET', '/deploys', { apikey: keys['staging'] ?? '' })).status, 200);
  });

  it('shadow mode lets the request through and records what it would have denied, with a metric', async () => {
    const r = await call('GET', '/beta', { apikey: keys['silver'] ?? '' });
    assert.equal(r.status, 200);
    assert.equal(r.record.error_code, null);
    assert.equal(
      r.record.access,
      'shadow rule:no-silver: deny rule "no-silver" matched; shadow rule:needs-header: deny rule "needs-header" matched',
    );
    const ok = await call('GET', '/beta', { apikey: keys['gold'] ?? '', 'x-beta': '1' });
    assert.equal(ok.status, 200);
    assert.equal(ok.record.access, null);
    const text = await metrics.text();
    assert.match(
      text,
      /keyway_access_decisions_total\{workspace="default",service="svc",route="beta",check="rule:no-silver",effect="shadow"\} 1/,
    );
    assert.match(
      text,
      /keyway_access_decisions_total\{workspace="default",service="svc",route="reports",check="rule:gold-office-hours",effect="deny"\} 3/,
    );
  });

  it('one line: gold keys only 08:00-20:00 Paris time and only from the partner network (inCidr)', async () => {
    const { compileRule } = await import('./cel-env.js');
    const rule = compileRule(
      'plan == "gold" && now.getHours("Europe/Paris") >= 8 && now.getHours("Europe/Paris") < 20 && ' +
        'request.ip.inCidr("198.51.100.0/24")',
    );
    assert.ok(rule.ok);
    const at = (ip: string, utcHour: number) =>
      rule.evaluate({ plan: 'gold', now: new Date(Date.UTC(2026, 0, 15, utcHour)), request: { ip } });
    assert.equal(at('198.51.100.9', 11), true);
    assert.equal(at('::ffff:198.51.100.9', 11), true);
    assert.equal(at('192.0.2.9', 11), false);
    assert.equal(at('198.51.100.9', 19), false);
  });

  it('refuses a rule that does not compile with its field and position, and one with an unknown time zone', () => {
    const compile = (when: string) => {
      const bad = state({
        services: [{ name: 'svc', url: 'http://127.0.0.1:9' }],
        routes: [{ name: 'r', service: 'svc', paths: ['/r'] }],
        plugins: [
          {
            name: 'access-rules',
            route: 'r',
            config: {
              rules: [
                { name: 'ok', when: 'true' },
                { name: 'broken', when },
              ],
            },
          },
        ],
      });
      return checkConfig(bad);
    };
    const syntax = compile('request.method == "GET" &&\n  (now.getHours("Europe/Paris") >= 8');
    assert.equal(syntax.length, 1);
    assert.equal(syntax[0]?.field, '/config/rules/1/when');
    assert.match(
      syntax[0]?.message ?? '',
      /rule "broken": Expected RPAREN, got EOF \(at line 2, column 37\)/,
    );
    const unknown = compile('request.method == "GET" && nope');
    assert.match(unknown[0]?.message ?? '', /Unknown variable: nope \(at line 1, column 28\)/);
    const notBool = compile('request.path.size() + 1');
    assert.match(notBool[0]?.message ?? '', /must be a condition \(a bool\), not int/);
    const block = compile('request.ip.inCidr("10.0.0.0/33")');
    assert.match(block[0]?.message ?? '', /prefix length must be 0 to 32 .*\(at line 1, column 20\)/);
    const zone = compile('now.getHours("Europe/Pariss") > 8');
    assert.match(zone[0]?.message ?? '', /unknown time zone "Europe\/Pariss" \(at line 1, column 15\)/);
  });
});
