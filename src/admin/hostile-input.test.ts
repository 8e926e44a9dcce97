/**
 * What a stranger can send the admin API to make it misbehave: JSON nested thousands of levels deep,
 * URLs Fastify cannot decode, oversized path parameters, broken JSON, the wrong content type, bodies
 * too large, HTTP that does not parse. Every answer is a 4xx in Keyway's one error shape
 * (`{"error":{"code","message","request_id"}}` with a KW_ERR_* code), and nothing changes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { MAX_JSON_DEPTH } from '../core/json-depth.js';
import { startAdmin, type AdminHarness } from '../../test/helpers/admin-harness.js';

let h: AdminHarness;
before(async () => {
  h = await startAdmin({ bodyLimit: 64 * 1024 });
});
after(async () => h.close());

/** `{"a":{"a":…{}…}}` with `levels` objects, as text: JSON.stringify itself overflows on such values. */
function nested(levels: number): string {
  return '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
}

interface ErrorShape {
  error: { code: string; message: string; request_id: string; details?: unknown[] };
}

function assertKeywayError(res: { statusCode: number; body: string }, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  const body = JSON.parse(res.body) as ErrorShape;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code, res.body);
  assert.equal(typeof body.error.message, 'string');
  assert.match(body.error.request_id, /^[0-9a-f-]{36}$/);
}

async function send(method: 'POST' | 'PUT' | 'GET', url: string, payload?: string) {
  return h.app.inject({
    method,
    url,
    headers: { ...h.auth, 'content-type': 'application/json' },
    ...(payload === undefined ? {} : { payload }),
  });
}

async function configVersion(): Promise<number> {
  return h.store.read((tx) => tx.configVersion());
}

describe('hostile input to the admin API', () => {
  it('refuses JSON nested 5,000 levels deep with 400, in a resource, a plugin config and a document', async () => {
    const version = await configVersion();
    const deep = nested(5000);
    const cases: Array<[string, string]> = [
      ['/services', `{"name":"svc","url":"http://127.0.0.1:1","description":${deep}}`],
      ['/plugins', `{"name":"response-headers","config":${deep}}`],
      ['/consumers', `{"username":"acme","tags":[${'['.repeat(5000)}${']'.repeat(5000)}]}`],
      [
        '/config',
        `{"_format_version":"1","services":[{"name":"x","url":"http://a","routes":[{"name":"r","paths":["/x"],"tags":${deep}}]}]}`,
      ],
    ];
    for (const [url, payload] of cases) {
      const res = await send('POST', url, payload);
      assertKeywayError(res, 400, 'KW_ERR_BODY_TOO_DEEP');
      assert.match(res.body, new RegExp(`deeper than ${MAX_JSON_DEPTH} levels`));
    }
    const put = await send(
      'PUT',
      '/plugins/response-headers@global',
      `{"name":"response-headers","config":${deep}}`,
    );
    assertKeywayError(put, 400, 'KW_ERR_BODY_TOO_DEEP');
    assert.equal(await configVersion(), version, 'nothing changed');
  });

  it('takes nesting up to the limit, and brackets inside strings do not count', async () => {
    const ok = await send(
      'POST',
      '/services',
      `{"name":"svc","url":"http://127.0.0.1:1","description":"${'[{'.repeat(400)}\\"}"}`,
    );
    assert.equal(ok.statusCode, 201, ok.body);
    // The limit itself is a body nesting exactly MAX_JSON_DEPTH levels: the schema answers, not the limit.
    const atLimit = await send(
      'POST',
      '/plugins',
      `{"name":"response-headers","config":${nested(MAX_JSON_DEPTH - 1)}}`,
    );
    assertKeywayError(atLimit, 400, 'KW_ERR_PLUGIN_CONFIG');
    const over = await send(
      'POST',
      '/plugins',
      `{"name":"response-headers","config":${nested(MAX_JSON_DEPTH)}}`,
    );
    assertKeywayError(over, 400, 'KW_ERR_BODY_TOO_DEEP');
  });

  it("maps Fastify's own errors to Keyway's error shape", async () => {
    assertKeywayError(await send('GET', '/services/%zz'), 400, 'KW_ERR_BAD_REQUEST');
    assertKeywayError(await send('GET', `/plugins/${'a'.repeat(2000)}`), 414, 'KW_ERR_URI_TOO_LONG');
    assertKeywayError(await send('POST', '/services', '{"name":'), 400, 'KW_ERR_VALIDATION');
    assertKeywayError(await send('POST', '/services', ''), 400, 'KW_ERR_VALIDATION');
    // Fastify's parser refuses __proto__ keys (prototype pollution) as invalid JSON.
    assertKeywayError(await send('POST', '/services', '{"__proto__":{"x":1}}'), 400, 'KW_ERR_VALIDATION');
    assertKeywayError(
      await send('POST', '/services', `"${'x'.repeat(70 * 1024)}"`),
      413,
      'KW_ERR_PAYLOAD_TOO_LARGE',
    );
    const xml = await h.app.inject({
      method: 'POST',
      url: '/services',
      headers: { ...h.auth, 'content-type': 'application/xml' },
      payload: '<service/>',
    });
    assertKeywayError(xml, 415, 'KW_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers HTTP that does not parse with a Keyway error, over a real socket', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    const raw = async (text: string): Promise<string> => {
      const socket = net.connect(address.port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(text);
      let out = '';
      socket.setEncoding('utf8').on('data', (c: string) => (out += c));
      await once(socket, 'close');
      return out;
    };
    const broken = await raw('GET /status HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    assert.match(broken, /^HTTP\/1\.1 400 /);
    const body = JSON.parse(broken.slice(broken.indexOf('\r\n\r\n') + 4)) as ErrorShape;
    assert.equal(body.error.code, 'KW_ERR_BAD_REQUEST');
    assert.match(body.error.request_id, /^[0-9a-f-]{36}$/);

    const huge = await raw(`GET /status HTTP/1.1\r\nHost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 431 /);
    assert.match(huge, /KW_ERR_HEADERS_TOO_LARGE/);
  });
});
