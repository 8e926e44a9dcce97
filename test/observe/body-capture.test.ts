/**
 * Body capture through the real data plane: bodies streamed in several chunks both ways, captured up to
 * the limit while the whole body still streams, redacted at any depth (JSON, forms, prefixes cut at the
 * limit), credentials the request presented and Keyway keys never in the record, binary and compressed
 * bodies recorded as type and size only.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { generateKey } from '../../src/keys/key-format.js';
import { AuthReasons } from '../../src/observe/auth-reasons.js';
import { CallObserver } from '../../src/observe/call-observer.js';
import type { CallRecord } from '../../src/observe/records/call-record.js';
import { CallCapture } from '../../src/observe/capture.js';
import type { CapturedBody } from '../../src/observe/capture/captured-body.js';
import { MemoryKeys } from '../helpers/api-keys.js';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/upstream.js';
import { aiState, completion } from '../ai/openai-fixtures.js';
import { RecordsById } from './records-by-id.js';

const LIMIT = 4096;
const BIG = 3 * 1024 * 1024;
const TOKEN = 'opaque-token-0123456789abcdef';

interface Captured {
  request?: Record<string, unknown>;
  response?: Record<string, unknown>;
  request_body: CapturedBody | null;
  response_body: CapturedBody | null;
}

/** What the upstream saw of each request body, by request id. */
const received = new Map<string, { bytes: number; sha256: string; text: string }>();

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Writes `total` bytes of text in 64 KiB chunks, honouring back-pressure. */
function streamText(res: ServerResponse, total: number): void {
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const n = Math.min(65536, total - sent);
      const chunk = Buffer.alloc(n, 65 + ((sent / 65536) % 26));
      sent += n;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

async function upstream(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const id = String(req.headers['x-request-id']);
  const body = await readAll(req);
  received.set(id, {
    bytes: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    text: body.length <= 65536 ? body.toString('utf8') : '',
  });
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (path.endsWith('/echo-json')) {
    const text = JSON.stringify({
      got: JSON.parse(body.toString('utf8')) as unknown,
      session: { refresh_token: 'rt-secret-000111222', id: 7 },
      quoted_key: req.headers['apikey'],
    });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    // Three writes: the response reaches the gateway in several chunks.
    res.write(text.slice(0, 20));
    res.write(text.slice(20, 60));
    res.end(text.slice(60));
  } else if (path.endsWith('/text')) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`you sent ${String(req.headers['authorization'])}`);
  } else if (path.endsWith('/gzip')) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(JSON.stringify({ password: 'zipped-secret-123' })));
  } else if (path.endsWith('/big')) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    streamText(res, BIG);
  } else {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  }
}

describe('body capture through the data plane', () => {
  let up: TestServer;
  let fake: FakeLlm;
  let gw: TestGateway;
  const ring = new RecordsById();
  const reasons = new AuthReasons();
  const keys = new MemoryKeys();
  const resolver = new ApiKeyResolver(keys, keys.hasher, { pollMs: 0, negativeTtlMs: 0 });
  let key = '';

  async function send(
    path: string,
    opts: { body?: AsyncIterable<Buffer> | string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; text: string; record: CallRecord; capture: Captured | null }> {
    const body = opts.body;
    const res = await request(`${gw.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: opts.headers ?? {},
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : Readable.from(body) }),
    });
    const text = await res.body.text();
    const record = await ring.recordOf(String(res.headers['x-request-id']));
    return {
      status: res.statusCode,
      text,
      record,
      capture: record.capture === null ? null : (JSON.parse(record.capture) as Captured),
    };
  }

  /** Yields `text` in `parts` pieces, so the body crosses the gateway in several chunks. */
  async function* pieces(text: string, parts: number): AsyncGenerator<Buffer> {
    const size = Math.ceil(text.length / parts);
    for (let i = 0; i < text.length; i += size) {
      yield Buffer.from(text.slice(i, i + size));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  before(async () => {
    up = await startServer((req, res) => void upstream(req, res));
    fake = await startFakeLlm();
    const cfg = aiState({
      providers: [
        {
          name: 'oa',
          type: 'openai',
          base_url: `${fake.url}/v1`,
          keys: [{ id: 'k1', secret: 'sk-provider-0001' }],
        },
      ],
      models: [{ name: 'smart', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }] }],
      services: [{ name: 'svc', url: `http://${up.address}` }],
      routes: [
        { name: 'capture', service: 'svc', paths: ['/capture'] },
        { name: 'open', service: 'svc', paths: ['/open'] },
        { name: 'quiet', service: 'svc', paths: ['/quiet'] },
      ],
      consumers: [{ username: 'acme' }],
      apps: [{ name: 'acme-dashboard', consumer: 'acme' }],
      plugins: [
        {
          name: 'key-auth',
          route: 'capture',
          config: {
            key_names: ['apikey'],
            bearer: 'kw',
            query_names: ['apikey'],
            cookie_names: [],
            hide_credentials: true,
          },
        },
      ],
    });
    key = keys.issue(cfg.workspaces[0]?.apps[0]?.id ?? '').key;
    const observer = new CallObserver({
      records: ring,
      metrics: undefined,
      reasons,
      capture: new CallCapture({
        headerRoutes: ['capture'],
        bodyRoutes: ['capture', 'open', 'ai'],
        bodyBytes: LIMIT,
        redactHeaders: ['x-internal-id'],
        redactFields: ['ssn'],
      }),
      trace: true,
    });
    gw = await startGateway(cfg, { services: { apiKeys: resolver }, observer });
  });
  after(async () => {
    await gw.close();
    await up.close();
    await fake.close();
    await resolver.close();
    reasons.close();
  });

  it('redacts credential and configured fields of JSON bodies at any depth, both ways', async () => {
    const sent = {
      user: 'ann',
      password: 'hunter2-pass',
      profile: {
        ssn: '123-45-6789',
        devices: [{ name: 'phone', access_token: 'at-0123456789', client_secret: { v: 1, w: [2, 3] } }],
      },
      max_tokens: 50,
      note: `my key is ${key}`,
    };
    const text = JSON.stringify(sent);
    const { status, record, capture } = await send('/capture/echo-json', {
      body: pieces(text, 5),
      headers: {
        apikey: key,
        'content-type': 'application/json',
        'x-internal-id': 'internal-7',
        'x-partner-key': 'partner-secret-99',
        'x-note': `forwarded ${key}`,
      },
    });
    assert.equal(status, 200);
    assert.equal(received.get(record.request_id)?.text, text, 'the upstream got the body unchanged');
    assert.ok(capture !== null);

    const reqBody = capture.request_body;
    assert.equal(reqBody?.content_type, 'application/json');
    assert.equal(reqBody?.bytes, Buffer.byteLength(text));
    assert.equal(reqBody?.truncated, undefined);
    assert.deepEqual(JSON.parse(reqBody?.text ?? ''), {
      user: 'ann',
      password: '[redacted]',
      profile: {
        ssn: '[redacted]',
        devices: [{ name: 'phone', access_token: '[redacted]', client_secret: '[redacted]' }],
      },
      max_tokens: 50,
      note: 'my key is [redacted]',
    });

    const resBody = capture.response_body;
    assert.equal(resBody?.content_type, 'application/json; charset=utf-8');
    const answer = JSON.parse(resBody?.text ?? '') as Record<string, Record<string, unknown>>;
    assert.equal(answer['session']?.['refresh_token'], '[redacted]');
    assert.equal(answer['session']?.['id'], 7);
    assert.equal(answer['quoted_key'], undefined, 'hide_credentials: the upstream never saw the key');
    assert.equal(answer['got']?.['password'], '[redacted]');

    assert.equal(capture.request?.['apikey'], '[redacted]');
    assert.equal(capture.request?.['x-internal-id'], '[redacted]');
    assert.equal(capture.request?.['x-partner-key'], '[redacted]');
    assert.equal(capture.request?.['x-note'], 'forwarded [redacted]');
    const all = JSON.stringify(record);
    for (const secret of [
      key,
      'hunter2',
      'at-0123456789',
      'rt-secret',
      '123-45-6789',
      'partner-secret',
      'internal-7',
    ])
      assert.ok(!all.includes(secret), `${secret} is not in the record`);
  });

  it('redacts a secret that the byte limit cut in half', async () => {
    const text = `{"pad":"${'x'.repeat(4070)}","password":"${'p'.repeat(100)}"}`;
    const { record, capture } = await send('/open/plain', {
      body: pieces(text, 3),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(received.get(record.request_id)?.bytes, text.length);
    const body = capture?.request_body;
    assert.equal(body?.truncated, true);
    assert.equal(body?.bytes, text.length);
    assert.ok(body?.text?.endsWith('"password":"[redacted]"'), body?.text?.slice(-40));
    assert.ok(!JSON.stringify(record).includes('pppp'));
  });

  it('redacts form bodies field by field', async () => {
    const form = 'user=ann&password=hunter2-pass&api_key=ak-0123456789&q=hello+world&ssn=123-45-6789';
    const { capture } = await send('/open/plain', {
      body: pieces(form, 4),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(
      capture?.request_body?.text,
      'user=ann&password=[redacted]&api_key=[redacted]&q=hello+world&ssn=[redacted]',
    );
  });

  it('leaves out a text body that holds the presented credential, and masks Keyway keys anywhere', async () => {
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' };
    const quoted = await send('/open/text', { body: `debug: ${TOKEN}`, headers: auth });
    assert.deepEqual(quoted.capture?.request_body, {
      content_type: 'text/plain',
      bytes: `debug: ${TOKEN}`.length,
      omitted: 'credential',
    });
    assert.equal(quoted.text, `you sent Bearer ${TOKEN}`);
    assert.equal(
      quoted.capture?.response_body?.omitted,
      'credential',
      'the echo of the token is left out too',
    );
    assert.ok(!JSON.stringify(quoted.record).includes(TOKEN));

    const other = generateKey('test');
    const plain = await send('/open/plain', {
      body: `forwarded ${other} to the partner`,
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(plain.capture?.request_body?.text, 'forwarded [redacted] to the partner');
  });

  it('drops the beginning of a credential that the limit cut off', async () => {
    const text = `${'a'.repeat(LIMIT - 6)}${TOKEN}`;
    const { capture } = await send('/open/plain', {
      body: text,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' },
    });
    const kept = capture?.request_body?.text ?? '';
    assert.equal(kept, `${'a'.repeat(LIMIT - 6)}[redacted]`);
  });

  it('records binary and compressed bodies as type and size only', async () => {
    const { capture } = await send('/open/gzip', {
      body: pieces('\u0000\u0001binary'.repeat(1000), 4),
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.deepEqual(capture?.request_body, { content_type: 'application/octet-stream', bytes: 8000 });
    assert.equal(capture?.response_body?.content_encoding, 'gzip');
    assert.equal(capture?.response_body?.text, undefined);
  });

  it('streams large bodies both ways untouched and keeps their first bytes', async () => {
    const hash = createHash('sha256');
    async function* big(): AsyncGenerator<Buffer> {
      for (let sent = 0; sent < BIG; sent += 49152) {
        const chunk = Buffer.alloc(Math.min(49152, BIG - sent), 97 + ((sent / 49152) % 26));
        hash.update(chunk);
        yield chunk;
      }
    }
    const res = await request(`${gw.url}/open/big`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: Readable.from(big()),
    });
    let got = 0;
    const answer = createHash('sha256');
    for await (const chunk of res.body) {
      got += (chunk as Buffer).length;
      answer.update(chunk as Buffer);
    }
    const record = await ring.recordOf(String(res.headers['x-request-id']));
    const up = received.get(record.request_id);
    assert.equal(up?.bytes, BIG, 'the upstream got every byte');
    assert.equal(up?.sha256, hash.digest('hex'));
    assert.equal(got, BIG, 'the client got every byte');

    const capture = JSON.parse(record.capture ?? '{}') as Captured;
    assert.equal(capture.request_body?.bytes, BIG);
    assert.equal(capture.request_body?.truncated, true);
    assert.equal(capture.request_body?.text, 'a'.repeat(LIMIT));
    assert.equal(capture.response_body?.bytes, BIG);
    assert.equal(capture.response_body?.text, 'A'.repeat(LIMIT));
    assert.equal(
      answer.digest('hex'),
      createHash('sha256')
        .update(
          Buffer.concat(Array.from({ length: BIG / 65536 }, (_, i) => Buffer.alloc(65536, 65 + (i % 26)))),
        )
        .digest('hex'),
    );
  });

  it('captures the bodies of AI calls too (read and written by the AI engine, not the proxy)', async () => {
    fake.queue({ json: completion('Hello there!') });
    const prompt = { model: 'smart', messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 20 };
    const { status, record, capture } = await send('/v1/chat/completions', {
      body: pieces(JSON.stringify(prompt), 3),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(status, 200);
    assert.deepEqual(JSON.parse(capture?.request_body?.text ?? ''), prompt);
    const answer = JSON.parse(capture?.response_body?.text ?? '') as {
      choices: Array<{ message: { content: string } }>;
    };
    assert.equal(answer.choices[0]?.message.content, 'Hello there!');
    const all = JSON.stringify(record);
    assert.ok(!all.includes(TOKEN) && !all.includes('sk-provider'));
  });

  it('captures nothing on routes without capture', async () => {
    const { record } = await send('/quiet/plain', {
      body: 'password=x',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(record.capture, null);
  });
});
