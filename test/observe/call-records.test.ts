/**
 * One call record per call through the real data plane — 200, 404 (no route), 401 (no key, bad key),
 * 502 (refused), 504 (timeout) — with the fields known at each point, the metrics that go with them,
 * and never the key itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { ApiKeyResolver, type ApiKeySource } from '../../src/keys/api-key-resolver.js';
import { generateKey, visibleIdOf } from '../../src/keys/key-format.js';
import { KeyHasher } from '../../src/keys/key-secret.js';
import { AuthReasons } from '../../src/observe/auth-reasons.js';
import { CallObserver } from '../../src/observe/call-observer.js';
import type { CallRecord } from '../../src/observe/records/call-record.js';
import { ProxyMetrics } from '../../src/observe/metrics.js';
import { RecordsById } from './records-by-id.js';
import type { StoredApiKey } from '../../src/store/types.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { deadPort, startEcho, startServer, type TestServer } from '../helpers/upstream.js';

const hasher = new KeyHasher(Buffer.alloc(32, 3));
const keys = new Map<string, StoredApiKey>();
const src: ApiKeySource = {
  findApiKeyByHash: (hash) => Promise.resolve(keys.get(hash)),
  touchApiKeysLastUsed: () => Promise.resolve(),
  apiKeyChangesSince: (cursor) => Promise.resolve({ cursor, hashes: [] }),
  apiKeyHashesAfter: () => Promise.resolve([]),
};
const keyAuth = {
  key_names: ['apikey'],
  bearer: 'kw',
  query_names: ['apikey'],
  cookie_names: [],
  hide_credentials: false,
};

describe('call records through the data plane', () => {
  let echo: TestServer;
  let hang: TestServer;
  let gw: TestGateway;
  const ring = new RecordsById();
  const reasons = new AuthReasons();
  const metrics = new ProxyMetrics({
    configVersion: () => 7,
    storePing: () => Promise.resolve(),
    recordsDropped: () => 0,
    recordsBuffered: () => 0,
  });
  const resolver = new ApiKeyResolver(src, hasher, { pollMs: 0, negativeTtlMs: 0 });
  let key = '';
  const hanging: Array<() => void> = [];

  /** Records are pushed when the response closes, a moment after the client has read it. */
  function recordFor(requestId: string): Promise<CallRecord> {
    return ring.recordOf(requestId);
  }

  async function call(path: string, headers: Record<string, string> = {}) {
    const res = await request(`${gw.url}${path}`, { headers });
    await res.body.text();
    return { status: res.statusCode, record: await recordFor(String(res.headers['x-request-id'])) };
  }

  before(async () => {
    echo = await startEcho();
    hang = await startServer((_req, res) => hanging.push(() => res.destroy()));
    const dead = await deadPort();
    const cfg = state({
      services: [
        { name: 'svc', url: `http://${echo.address}` },
        { name: 'dead', url: `http://127.0.0.1:${dead}` },
        { name: 'hang', url: `http://${hang.address}`, read_timeout_ms: 100 },
      ],
      routes: [
        { name: 'open', service: 'svc', paths: ['/open'] },
        { name: 'keyed', service: 'svc', paths: ['/keyed'] },
        { name: 'dead', service: 'dead', paths: ['/dead'] },
        { name: 'hang', service: 'hang', paths: ['/hang'] },
      ],
      consumers: [{ username: 'acme' }],
      apps: [{ name: 'acme-dashboard', consumer: 'acme' }],
      plugins: [{ name: 'key-auth', route: 'keyed', config: keyAuth }],
    });
    key = generateKey('live');
    const appId = cfg.workspaces[0]?.apps[0]?.id ?? '';
    const rec: StoredApiKey = {
      id: 'key-acme-1',
      workspace: 'default',
      app_id: appId,
      hash: hasher.hash(key),
      visible_id: visibleIdOf(key),
      env: 'live',
      source: 'generated',
      status: 'active',
      created_at: new Date().toISOString(),
    };
    keys.set(rec.hash, rec);
    const observer = new CallObserver({
      records: ring,
      metrics,
      reasons,
      capture: undefined,
      trace: true,
    });
    gw = await startGateway(cfg, { services: { apiKeys: resolver }, observer });
  });
  after(async () => {
    for (const h of hanging) h();
    await gw.close();
    await echo.close();
    await hang.close();
    await resolver.close();
    reasons.close();
  });

  it('records a 200 with identity, target, timings split and bytes, and no key', async () => {
    const { status, record } = await call('/keyed/x?apikey=' + key, {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    assert.equal(status, 200);
    assert.equal(record.status, 200);
    assert.equal(record.upstream_status, 200);
    assert.equal(record.route, 'keyed');
    assert.equal(record.service, 'svc');
    assert.equal(record.consumer, 'acme');
    assert.equal(record.app, 'acme-dashboard');
    assert.equal(record.credential, 'key-acme-1');
    assert.equal(record.auth, 'ok');
    assert.equal(record.target, echo.address);
    assert.equal(record.path, '/keyed/x', 'the query string (and the key in it) is not recorded');
    assert.equal(record.trace_id, '4bf92f3577b34da6a3ce929d0e0e4736', 'the caller trace continues');
    assert.ok(record.upstream_ms !== null && record.upstream_ms > 0);
    assert.ok(Math.abs(record.latency_ms - record.gateway_ms - record.upstream_ms) < 0.01);
    assert.ok((record.bytes_out ?? 0) > 0);
    assert.doesNotMatch(JSON.stringify(record), new RegExp(key));
  });

  it('counts the bytes of a chunked request body (no Content-Length)', async () => {
    async function* body() {
      yield Buffer.alloc(3000, 97);
      yield Buffer.alloc(1234, 98);
    }
    const res = await request(`${gw.url}/open/upload`, { method: 'POST', body: Readable.from(body()) });
    await res.body.text();
    const record = await recordFor(String(res.headers['x-request-id']));
    assert.equal(record.status, 200);
    assert.equal(record.bytes_in, 4234);
  });

  it('records a 404 that matched no route', async () => {
    const { status, record } = await call('/nowhere');
    assert.equal(status, 404);
    assert.equal(record.error_code, 'KW_ERR_NO_ROUTE');
    assert.equal(record.route, null);
  });

  it('records a 401 with the denial reason', async () => {
    const missing = await call('/keyed');
    assert.equal(missing.status, 401);
    assert.equal(missing.record.auth, 'denied');
    assert.equal(missing.record.auth_reason, 'missing');
    assert.equal(missing.record.error_code, 'KW_ERR_AUTH_MISSING');
    const wrong = generateKey('live');
    const bad = await call('/keyed', { apikey: wrong });
    assert.equal(bad.status, 401);
    assert.equal(bad.record.error_code, 'KW_ERR_AUTH_INVALID');
    assert.equal(bad.record.auth, 'denied');
    assert.doesNotMatch(JSON.stringify(bad.record), new RegExp(wrong));
  });

  it('records an expired or revoked key with its credential id and reason; the client gets the same 401', async () => {
    const appId = keys.values().next().value?.app_id ?? '';
    const stored = (id: string, extra: Partial<StoredApiKey>): string => {
      const k = generateKey('live');
      keys.set(hasher.hash(k), {
        id,
        workspace: 'default',
        app_id: appId,
        hash: hasher.hash(k),
        visible_id: visibleIdOf(k),
        env: 'live',
        source: 'generated',
        status: 'active',
        created_at: new Date().toISOString(),
        ...extra,
      });
      return k;
    };
    const expired = stored('key-acme-expired', { expires_at: new Date(Date.now() - 1000).toISOString() });
    const revoked = stored('key-acme-revoked', { status: 'revoked' });
    const seen: Array<[string | null, string | null, number]> = [];
    const bodies = new Set<string>();
    for (const k of [expired, revoked, generateKey('live')]) {
      const res = await request(`${gw.url}/keyed`, { headers: { apikey: k } });
      bodies.add(await res.body.text().then((t) => t.replace(/"request_id":"[^"]+"/, '')));
      const record = await recordFor(String(res.headers['x-request-id']));
      seen.push([record.credential, record.auth_reason, res.statusCode]);
      assert.equal(record.error_code, 'KW_ERR_AUTH_INVALID');
      assert.equal(record.consumer, null);
    }
    assert.deepEqual(seen, [
      ['key-acme-expired', 'expired', 401],
      ['key-acme-revoked', 'revoked', 401],
      [null, 'unknown', 401],
    ]);
    assert.equal(bodies.size, 1, 'one answer for every refusal');
  });

  it('records a 502 and a 504 with the error code and the target', async () => {
    const refused = await call('/dead');
    assert.equal(refused.status, 502);
    assert.equal(refused.record.error_code, 'KW_ERR_UPSTREAM_UNAVAILABLE');
    assert.equal(refused.record.upstream_status, null);
    const slow = await call('/hang');
    assert.equal(slow.status, 504);
    assert.equal(slow.record.error_code, 'KW_ERR_UPSTREAM_TIMEOUT');
    assert.equal(slow.record.target, hang.address);
    assert.ok((slow.record.upstream_ms ?? 0) >= 90);
  });

  it('counts them in the Prometheus metrics', async () => {
    const text = await metrics.text();
    const value = (line: string): number => {
      const m = new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
      return m === null ? NaN : Number(m[1]);
    };
    const ws = 'workspace="default",';
    assert.ok(value(`keyway_requests_total{${ws}service="svc",route="keyed",status="200"}`) >= 1);
    assert.ok(value(`keyway_requests_total{${ws}service="dead",route="dead",status="502"}`) >= 1);
    assert.ok(value(`keyway_requests_total{${ws}service="hang",route="hang",status="504"}`) >= 1);
    assert.ok(value(`keyway_auth_failures_total{${ws}service="svc",route="keyed",reason="missing"}`) >= 1);
    assert.ok(value('keyway_unrouted_requests_total{status="404"}') >= 1);
    assert.ok(value(`keyway_request_duration_seconds_count{${ws}service="svc",route="keyed"}`) >= 1);
    // The 504 waited on its upstream at least 90 ms: seconds, not milliseconds.
    const slowSum = value(`keyway_upstream_duration_seconds_sum{${ws}service="hang",route="hang"}`);
    assert.ok(slowSum >= 0.09 && slowSum < 60, `${slowSum} s`);
    assert.equal(value('keyway_config_version'), 7);
    assert.doesNotMatch(text, new RegExp(key));
  });
});
