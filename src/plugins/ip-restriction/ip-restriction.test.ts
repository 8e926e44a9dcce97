/**
 * IP rules through the real proxy, at every level (global, service, route, consumer, key), IPv4 and IPv6,
 * with the client address taken from X-Forwarded-For only because the loopback peer is a trusted proxy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startGateway, state, type TestGateway } from '../../../test/helpers/gateway.js';
import { startEcho, type TestServer } from '../../../test/helpers/upstream.js';
import { MemoryKeys } from '../../../test/helpers/api-keys.js';
import { RecordsById } from '../../../test/observe/records-by-id.js';
import { ApiKeyResolver } from '../../keys/api-key-resolver.js';
import { keyIpProblems } from '../../keys/key-ip-rules.js';
import { AuthReasons } from '../../observe/auth-reasons.js';
import { CallObserver } from '../../observe/call-observer.js';
import type { CallRecord } from '../../observe/records/call-record.js';
import { checkConfig } from '../../snapshot/check.js';

describe('ip-restriction plugin and key IP rules', () => {
  const store = new MemoryKeys();
  const resolver = new ApiKeyResolver(store, store.hasher, { pollMs: 0, negativeTtlMs: 0 });
  const ring = new RecordsById();
  const reasons = new AuthReasons();
  let echo: TestServer;
  let gw: TestGateway;
  let untrusted: TestGateway;
  const keys: Record<string, string> = {};

  before(async () => {
    echo = await startEcho();
    const cfg = state({
      services: [
        { name: 'svc', url: `http://${echo.address}` },
        { name: 'internal', url: `http://${echo.address}` },
      ],
      routes: [
        { name: 'open', service: 'svc', paths: ['/open'] },
        { name: 'v6', service: 'svc', paths: ['/v6'] },
        { name: 'admin', service: 'internal', paths: ['/admin'] },
        { name: 'keyed', service: 'svc', paths: ['/keyed'] },
        { name: 'shadowed', service: 'svc', paths: ['/shadowed'] },
      ],
      consumers: [{ username: 'partner' }, { username: 'acme' }],
      apps: [
        { name: 'partner-app', consumer: 'partner' },
        { name: 'acme-app', consumer: 'acme' },
      ],
      plugins: [
        { name: 'ip-restriction', config: { deny: ['203.0.113.0/24', '2001:db8:bad::/48'] } },
        {
          name: 'ip-restriction',
          route: 'v6',
          config: { allow: ['2001:db8::/32'], deny: ['2001:db8:bad::/48'] },
        },
        {
          name: 'ip-restriction',
          service: 'internal',
          config: { allow: ['10.0.0.0/8'], deny: ['10.6.6.6'] },
        },
        { name: 'key-auth', route: 'keyed', config: {} },
        { name: 'ip-restriction', consumer: 'partner', config: { allow: ['192.0.2.10'] } },
        {
          name: 'ip-restriction',
          route: 'shadowed',
          config: { deny: ['0.0.0.0/0', '::/0'], mode: 'shadow' },
        },
      ],
    });
    const app = (name: string): string => cfg.workspaces[0]?.apps.find((a) => a.name === name)?.id ?? '';
    keys['partner'] = store.issue(app('partner-app')).key;
    keys['acme'] = store.issue(app('acme-app')).key;
    keys['pinned'] = store.issue(app('acme-app'), {
      metadata: { ip_allow: ['198.51.100.0/24', '2001:db8:1::/64'], ip_deny: ['198.51.100.66'] },
    }).key;
    const observer = new CallObserver({
      records: ring,
      metrics: undefined,
      reasons,
      capture: undefined,
      trace: false,
    });
    gw = await startGateway(cfg, { trusted: ['127.0.0.1/32'], services: { apiKeys: resolver }, observer });
    untrusted = await startGateway(cfg, { services: { apiKeys: resolver }, observer });
  });
  after(async () => {
    await gw.close();
    await untrusted.close();
    await echo.close();
    await resolver.close();
    reasons.close();
  });

  async function from(
    ip: string,
    path: string,
    headers: Record<string, string> = {},
    via: TestGateway = gw,
  ): Promise<{ status: number; code: string | undefined; record: CallRecord }> {
    const res = await request(`${via.url}${path}`, { headers: { 'x-forwarded-for': ip, ...headers } });
    const text = await res.body.text();
    const record = await ring.recordOf(String(res.headers['x-request-id']));
    return { status: res.statusCode, code: /"code":"(KW_ERR_[A-Z_]+)"/.exec(text)?.[1], record };
  }

  it('global deny list, IPv4 and IPv6, from the address a trusted proxy forwarded', async () => {
    assert.equal((await from('198.51.100.1', '/open')).status, 200);
    const denied = await from('203.0.113.7', '/open');
    assert.equal(denied.status, 403);
    assert.equal(denied.code, 'KW_ERR_IP_DENIED');
    assert.equal(denied.record.client_ip, '203.0.113.7');
    assert.equal(denied.record.access, 'deny ip:global: 203.0.113.7 is on the deny list (global)');
    assert.equal((await from('2001:db8:bad::1', '/open')).status, 403);
    assert.equal((await from('2001:db8:900d::1', '/open')).status, 200);
  });

  it('honours trusted_proxies: an untrusted peer cannot forge X-Forwarded-For', async () => {
    // The peer (127.0.0.1) is not trusted here: the forged header is ignored, the peer address is judged.
    const forged = await from('10.1.1.1', '/admin', {}, untrusted);
    assert.equal(forged.status, 403);
    assert.equal(forged.record.client_ip, '127.0.0.1');
    assert.equal(
      forged.record.access,
      'deny ip:service: 127.0.0.1 is not on the allow list (service=internal)',
    );
  });

  it('route level: an IPv6 allow list (most specific config wins over the global one)', async () => {
    assert.equal((await from('2001:db8:1::5', '/v6')).status, 200);
    const v4 = await from('198.51.100.1', '/v6');
    assert.equal(v4.status, 403);
    assert.match(
      v4.record.access ?? '',
      /^deny ip:route: 198\.51\.100\.1 is not on the allow list \(route=v6\)$/,
    );
    assert.equal((await from('2001:db8:bad::2', '/v6')).status, 403);
  });

  it('service level: allow a block, deny one address in it', async () => {
    assert.equal((await from('10.1.2.3', '/admin')).status, 200);
    const one = await from('10.6.6.6', '/admin');
    assert.equal(one.status, 403);
    assert.equal(one.record.access, 'deny ip:service: 10.6.6.6 is on the deny list (service=internal)');
    assert.equal((await from('11.0.0.1', '/admin')).status, 403);
  });

  it('consumer level: a partner only from its own address, others unaffected', async () => {
    assert.equal((await from('192.0.2.10', '/keyed', { apikey: keys['partner'] ?? '' })).status, 200);
    const elsewhere = await from('192.0.2.11', '/keyed', { apikey: keys['partner'] ?? '' });
    assert.equal(elsewhere.status, 403);
    assert.equal(elsewhere.record.consumer, 'partner');
    assert.equal(
      elsewhere.record.access,
      'deny ip:consumer: 192.0.2.11 is not on the allow list (consumer=partner)',
    );
    assert.equal((await from('192.0.2.11', '/keyed', { apikey: keys['acme'] ?? '' })).status, 200);
  });

  it("key level: the key's ip_allow / ip_deny metadata, wherever the key is used", async () => {
    assert.equal((await from('198.51.100.5', '/keyed', { apikey: keys['pinned'] ?? '' })).status, 200);
    assert.equal((await from('2001:db8:1::9', '/keyed', { apikey: keys['pinned'] ?? '' })).status, 200);
    const off = await from('192.0.2.50', '/keyed', { apikey: keys['pinned'] ?? '' });
    assert.equal(off.status, 403);
    assert.equal(off.code, 'KW_ERR_IP_DENIED');
    assert.equal(off.record.access, "deny ip:key: 192.0.2.50 is not on the key's ip_allow list");
    assert.equal(off.record.credential, 'key-3');
    const denied = await from('198.51.100.66', '/keyed', { apikey: keys['pinned'] ?? '' });
    assert.equal(denied.record.access, "deny ip:key: 198.51.100.66 is on the key's ip_deny list");
    // The global deny list still holds on the keyed route (no route-level config there).
    assert.equal((await from('203.0.113.9', '/keyed', { apikey: keys['acme'] ?? '' })).status, 403);
  });

  it('shadow mode passes and records what it would have denied', async () => {
    const r = await from('198.51.100.1', '/shadowed');
    assert.equal(r.status, 200);
    assert.equal(r.record.access, 'shadow ip:route: 198.51.100.1 is on the deny list (route=shadowed)');
  });

  it('refuses a bad address list naming the entry, in plugin configs and key metadata', () => {
    const problems = checkConfig(
      state({
        services: [{ name: 'svc', url: 'http://127.0.0.1:9' }],
        routes: [{ name: 'r', service: 'svc', paths: ['/r'] }],
        plugins: [{ name: 'ip-restriction', route: 'r', config: { allow: ['10.0.0.0/8', '10.0.0.0/33'] } }],
      }),
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.field, '/config/allow/1');
    assert.match(problems[0]?.message ?? '', /prefix length must be 0 to 32/);
    assert.deepEqual(keyIpProblems({ ip_allow: ['1.2.3.4', 'nope'], ip_deny: 'x' }), [
      { path: '/metadata/ip_allow/1', message: '"nope" is not an IPv4 or IPv6 address or CIDR block' },
      { path: '/metadata/ip_deny', message: 'must be a list of 1 to 1024 addresses or CIDR blocks' },
    ]);
  });
});
