/**
 * OpenTelemetry spans through the real data plane, exported with the real OTLP/HTTP exporter to a real
 * HTTP receiver: one SERVER span per call and a CLIENT child for the upstream exchange, continuing the
 * caller's trace (the trace id is the record's), the CLIENT span's id being the parent id the upstream
 * received; HTTP and GenAI attributes; errors; sampling decided on arrival and sent upstream; the SDK
 * loaded only when tracing starts; and no key or token anywhere in what the collector receives.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { AuthReasons } from '../../src/observe/auth-reasons.js';
import { CallObserver } from '../../src/observe/call-observer.js';
import { OtelTracing } from '../../src/observe/otel/otel-tracing.js';
import { ratioSampled, sampleCall } from '../../src/observe/otel/sampling.js';
import type { Echo } from '../helpers/upstream.js';
import { MemoryKeys } from '../helpers/api-keys.js';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { deadPort, startEcho, startServer, type TestServer } from '../helpers/upstream.js';
import { aiState, completion } from '../ai/openai-fixtures.js';
import { RecordsById } from './records-by-id.js';

const COLLECTOR_TOKEN = 'collector-token-5f2a9c';
const PROVIDER_SECRET = 'sk-test-secret-0001';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: OtlpValue }>;
  status?: { code?: number };
}
interface OtlpRequest {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: OtlpValue }> };
    scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>;
  }>;
}

const SERVER = 2;
const CLIENT = 3;
const STATUS_ERROR = 2;

function attrs(list: Array<{ key: string; value: OtlpValue }>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list) {
    const v = value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
    if (v !== undefined) out[key] = typeof v === 'string' && value.intValue !== undefined ? Number(v) : v;
  }
  return out;
}

/** An OTLP/HTTP receiver: keeps every POST's headers and raw body. */
async function startReceiver(): Promise<{
  server: TestServer;
  posts: Array<{ headers: Record<string, unknown>; raw: string }>;
  spans(): OtlpSpan[];
  resources(): Array<Record<string, string | number | boolean>>;
}> {
  const posts: Array<{ headers: Record<string, unknown>; raw: string }> = [];
  const server = await startServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces')
        posts.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  const bodies = (): OtlpRequest[] => posts.map((p) => JSON.parse(p.raw) as OtlpRequest);
  return {
    server,
    posts,
    spans: () =>
      bodies().flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))),
    resources: () => bodies().flatMap((b) => b.resourceSpans.map((r) => attrs(r.resource.attributes))),
  };
}

describe('OpenTelemetry SDK loading', () => {
  it('is not loaded until tracing starts', async () => {
    const cache = createRequire(import.meta.url).cache;
    const loaded = (): boolean => Object.keys(cache).some((k) => k.includes('@opentelemetry'));
    assert.equal(loaded(), false, 'importing the observer and the tracing module loads no SDK');
    const tracing = OtelTracing.start(
      { endpoint: 'http://127.0.0.1:9/v1/traces', serviceName: 'x', sampleRatio: 1, headers: {} },
      { warn: () => undefined },
    );
    await tracing.ready();
    assert.equal(loaded(), true);
    await tracing.shutdown();
  });
});

describe('sampling', () => {
  it('follows the caller’s sampled flag and sends its own decision upstream', () => {
    const headers: Record<string, string> = {};
    const ids = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), parentId: 'c'.repeat(16) };
    headers['traceparent'] = `00-${ids.traceId}-${ids.spanId}-00`;
    assert.equal(sampleCall(ids, headers, 1), false, 'a caller that does not sample is not sampled');
    headers['traceparent'] = `00-${ids.traceId}-${ids.spanId}-01`;
    assert.equal(sampleCall(ids, headers, 0), true, 'a sampled caller is sampled whatever the ratio');

    const root = { ...ids, parentId: undefined };
    headers['traceparent'] = `00-${root.traceId}-${root.spanId}-01`;
    assert.equal(sampleCall(root, headers, 0), false);
    assert.equal(
      headers['traceparent'],
      `00-${root.traceId}-${root.spanId}-00`,
      'upstream hears "not sampled"',
    );
  });

  it('decides by ratio exactly as the SDK’s TraceIdRatioBased sampler', async () => {
    const { TraceIdRatioBasedSampler, SamplingDecision } = await import('@opentelemetry/sdk-trace-base');
    const { ROOT_CONTEXT } = await import('@opentelemetry/api');
    for (const ratio of [0.1, 0.5, 0.9]) {
      const sdk = new TraceIdRatioBasedSampler(ratio);
      let kept = 0;
      for (let i = 0; i < 500; i++) {
        const traceId = [...crypto.getRandomValues(new Uint8Array(16))]
          .map((b) => b.toString(16).padStart(2, '0'))
          .join('');
        const expected =
          sdk.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
        assert.equal(ratioSampled(traceId, ratio), expected, traceId);
        if (expected) kept++;
      }
      assert.ok(Math.abs(kept / 500 - ratio) < 0.1, `about ${ratio} kept`);
    }
  });
});

describe('OpenTelemetry spans through the data plane', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let echo: TestServer;
  let fake: FakeLlm;
  let gw: TestGateway;
  let tracing: OtelTracing;
  const ring = new RecordsById();
  const reasons = new AuthReasons();
  const keys = new MemoryKeys();
  const resolver = new ApiKeyResolver(keys, keys.hasher, { pollMs: 0, negativeTtlMs: 0 });
  const warnings: string[] = [];
  let key = '';

  async function call(
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) {
    const res = await request(`${gw.url}${path}`, {
      method: (init.method ?? 'GET') as 'GET',
      headers: init.headers ?? {},
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await res.body.text();
    const record = await ring.recordOf(String(res.headers['x-request-id']));
    return { status: res.statusCode, text, record };
  }

  /** The spans of one trace, after the exporter delivered everything queued so far. */
  async function spansOf(traceId: string): Promise<{ server: OtlpSpan; client: OtlpSpan | undefined }> {
    await tracing.flush();
    const spans = receiver.spans().filter((s) => s.traceId === traceId);
    const server = spans.find((s) => s.kind === SERVER);
    assert.ok(server !== undefined, `a server span for ${traceId}`);
    const clients = spans.filter((s) => s.kind === CLIENT);
    assert.ok(clients.length <= 1);
    return { server, client: clients[0] };
  }

  before(async () => {
    receiver = await startReceiver();
    echo = await startEcho();
    fake = await startFakeLlm();
    const dead = await deadPort();
    const cfg = aiState({
      providers: [
        {
          name: 'oa',
          type: 'openai',
          base_url: `${fake.url}/v1`,
          keys: [{ id: 'k1', secret: PROVIDER_SECRET }],
        },
      ],
      models: [{ name: 'smart', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }] }],
      services: [
        { name: 'svc', url: `http://${echo.address}` },
        { name: 'dead', url: `http://127.0.0.1:${dead}` },
      ],
      routes: [
        { name: 'keyed', service: 'svc', paths: ['/keyed'] },
        { name: 'dead', service: 'dead', paths: ['/dead'] },
        { name: 'things', service: 'svc', paths: ['/things', '/v1/things/:id', '=/v1/things/all'] },
      ],
      consumers: [{ username: 'acme' }],
      apps: [{ name: 'acme-dashboard', consumer: 'acme' }],
      plugins: [
        {
          name: 'key-auth',
          route: 'keyed',
          config: {
            key_names: ['apikey'],
            bearer: 'kw',
            query_names: ['apikey'],
            cookie_names: [],
            hide_credentials: false,
          },
        },
      ],
    });
    key = keys.issue(cfg.workspaces[0]?.apps[0]?.id ?? '', { id: 'key-acme-1' }).key;
    tracing = OtelTracing.start(
      {
        endpoint: `http://${receiver.server.address}/v1/traces`,
        serviceName: 'keyway-test',
        sampleRatio: 1,
        headers: { authorization: `Bearer ${COLLECTOR_TOKEN}` },
      },
      { warn: (_o, msg) => warnings.push(msg) },
    );
    await tracing.ready();
    const observer = new CallObserver({
      records: ring,
      metrics: undefined,
      reasons,
      capture: undefined,
      trace: true,
      tracing,
    });
    gw = await startGateway(cfg, { services: { apiKeys: resolver }, observer });
  });
  after(async () => {
    await gw.close();
    await tracing.shutdown();
    await receiver.server.close();
    await echo.close();
    await fake.close();
    await resolver.close();
    reasons.close();
  });

  it('continues the caller’s trace: SERVER span under the caller, CLIENT span under it, upstream under that', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const { status, text, record } = await call(`/keyed/items?apikey=${key}&page=2`, {
      headers: { traceparent: `00-${traceId}-${callerSpan}-01`, 'user-agent': 'span-test/1' },
    });
    assert.equal(status, 200);
    assert.equal(record.trace_id, traceId, 'the record and the spans share the trace id');
    const upstreamParent = /^00-[0-9a-f]{32}-([0-9a-f]{16})-01$/.exec(
      String((JSON.parse(text) as Echo).headers['traceparent']),
    )?.[1];

    const { server, client } = await spansOf(traceId);
    assert.equal(server.name, 'GET /keyed', '{method} {http.route}');
    assert.equal(server.parentSpanId, callerSpan);
    assert.notEqual(server.spanId, upstreamParent);
    assert.deepEqual(
      { ...attrs(server.attributes) },
      {
        'http.request.method': 'GET',
        'url.path': '/keyed/items',
        'url.scheme': 'http',
        'http.route': '/keyed',
        'client.address': '127.0.0.1',
        'network.peer.address': '127.0.0.1',
        'network.protocol.version': '1.1',
        'server.address': '127.0.0.1',
        'server.port': gw.port,
        'user_agent.original': 'span-test/1',
        'http.response.status_code': 200,
        'keyway.request_id': record.request_id,
        'keyway.workspace': 'default',
        'keyway.route': 'keyed',
        'keyway.service': 'svc',
        'keyway.consumer': 'acme',
        'keyway.app': 'acme-dashboard',
        'keyway.credential_id': 'key-acme-1',
      },
    );
    assert.notEqual(server.status?.code, STATUS_ERROR);

    assert.ok(client !== undefined);
    assert.equal(client.name, 'GET', 'a client span without a URL template is named by its method');
    assert.equal(client.parentSpanId, server.spanId);
    assert.equal(client.spanId, upstreamParent, 'the upstream’s parent is the CLIENT span');
    const c = attrs(client.attributes);
    assert.equal(c['server.address'], '127.0.0.1');
    assert.equal(c['server.port'], echo.port);
    assert.equal(c['http.request.method'], 'GET');
    assert.equal(
      c['url.full'],
      `http://127.0.0.1:${echo.port}/items`,
      'the path sent upstream, no query string',
    );
    assert.equal(c['http.response.status_code'], 200);
    assert.equal(c['keyway.retries'], 0);
    assert.ok(BigInt(client.startTimeUnixNano) >= BigInt(server.startTimeUnixNano));
    assert.ok(BigInt(client.endTimeUnixNano) <= BigInt(server.endTimeUnixNano));

    const resource = receiver.resources()[0];
    assert.equal(resource?.['service.name'], 'keyway-test');
    assert.equal(receiver.posts[0]?.headers['authorization'], `Bearer ${COLLECTOR_TOKEN}`);
    assert.match(String(receiver.posts[0]?.headers['content-type']), /application\/json/);
  });

  it('names the span by the path template the request matched (http.route)', async () => {
    const routeOf = async (path: string): Promise<[string, unknown]> => {
      const { status, record } = await call(path);
      assert.equal(status, 200);
      const { server } = await spansOf(record.trace_id ?? '');
      return [server.name, attrs(server.attributes)['http.route']];
    };
    assert.deepEqual(await routeOf('/v1/things/42'), ['GET /v1/things/:id', '/v1/things/:id']);
    assert.deepEqual(await routeOf('/v1/things/all'), ['GET /v1/things/all', '/v1/things/all']);
    assert.deepEqual(await routeOf('/things/a/b'), ['GET /things', '/things']);
  });

  it('starts a trace when the caller sent none, with the record’s trace id', async () => {
    const { text, record } = await call(`/keyed/x`, { headers: { apikey: key } });
    assert.ok(record.trace_id !== null);
    const sent = String((JSON.parse(text) as Echo).headers['traceparent']);
    const { server, client } = await spansOf(record.trace_id);
    assert.equal(server.parentSpanId ?? '', '', 'a root span');
    assert.equal(sent, `00-${record.trace_id}-${client?.spanId ?? ''}-01`);
  });

  it('marks a failed upstream call as an error on both spans', async () => {
    const { status, record } = await call('/dead/x');
    assert.equal(status, 502);
    const { server, client } = await spansOf(record.trace_id ?? '');
    assert.equal(server.status?.code, STATUS_ERROR);
    assert.equal(attrs(server.attributes)['error.type'], 'KW_ERR_UPSTREAM_UNAVAILABLE');
    assert.equal(attrs(server.attributes)['keyway.error_code'], 'KW_ERR_UPSTREAM_UNAVAILABLE');
    assert.equal(attrs(server.attributes)['http.response.status_code'], 502);
    assert.ok(client !== undefined);
    assert.equal(client.status?.code, STATUS_ERROR);
    assert.equal(attrs(client.attributes)['http.response.status_code'], undefined);
  });

  it('records a refusal with a SERVER span only (no upstream call), not as an error', async () => {
    const { status, record } = await call('/keyed/x');
    assert.equal(status, 401);
    const { server, client } = await spansOf(record.trace_id ?? '');
    assert.equal(client, undefined);
    assert.equal(attrs(server.attributes)['http.response.status_code'], 401);
    assert.equal(attrs(server.attributes)['keyway.error_code'], 'KW_ERR_AUTH_MISSING');
    assert.notEqual(server.status?.code, STATUS_ERROR);
  });

  it('adds the GenAI attributes to an AI call', async () => {
    fake.queue({ json: completion('Hi', { usage: { prompt_tokens: 12, completion_tokens: 5 } }) });
    const { status, record } = await call('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer caller-token-77aa' },
      body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'hello' }] }),
    });
    assert.equal(status, 200);
    const { server } = await spansOf(record.trace_id ?? '');
    const a = attrs(server.attributes);
    assert.equal(a['gen_ai.request.model'], record.model);
    assert.equal(a['gen_ai.system'], 'oa');
    assert.equal(a['gen_ai.usage.input_tokens'], 12);
    assert.equal(a['gen_ai.usage.output_tokens'], 5);
  });

  it('exports nothing for a caller that does not sample, and says so upstream', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const { text } = await call('/keyed/x', {
      headers: { apikey: key, traceparent: `00-${traceId}-b7ad6b7169203331-00` },
    });
    assert.match(String((JSON.parse(text) as Echo).headers['traceparent']), /-00$/);
    await tracing.flush();
    assert.equal(receiver.spans().filter((s) => s.traceId === traceId).length, 0);
  });

  it('never sends a key, a token or a query string to the collector', async () => {
    await tracing.flush();
    const all = receiver.posts.map((p) => p.raw).join('\n');
    assert.ok(receiver.spans().length >= 8);
    for (const secret of [key, 'caller-token-77aa', PROVIDER_SECRET, 'apikey=', 'page=2'])
      assert.ok(!all.includes(secret), `${secret} is not exported`);
    assert.deepEqual(warnings, []);
  });

  it('flushes what is queued on shutdown', async () => {
    const { record } = await call('/keyed/last', { headers: { apikey: key } });
    const before = receiver.spans().length;
    await tracing.shutdown();
    assert.ok(receiver.spans().length > before);
    assert.ok(receiver.spans().some((s) => s.traceId === record.trace_id));
  });
});
