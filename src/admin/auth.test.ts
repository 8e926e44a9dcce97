import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';

let h: AdminHarness;
before(async () => {
  h = await startAdmin();
});
after(async () => h.close());

test('every route but /health, /ready and /openapi.json needs the admin token', async () => {
  for (const url of ['/services', '/workspaces', '/status', '/config', '/audit-log', '/plugins/available']) {
    const res = await h.app.inject({ url });
    assert.equal(res.statusCode, 401, url);
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="keyway-admin"');
    assert.equal(res.json<TestBody>().error.code, 'KW_ERR_UNAUTHORIZED');
  }
});

test('a wrong token is refused and not echoed back', async () => {
  const wrong = h.token.slice(0, -1) + (h.token.endsWith('A') ? 'B' : 'A');
  for (const headers of [
    { authorization: `Bearer ${wrong}` },
    { 'keyway-admin-token': wrong },
    { authorization: `Basic ${wrong}` },
  ]) {
    const res = await h.app.inject({ url: '/services', headers });
    assert.equal(res.statusCode, 401);
    assert.ok(!res.body.includes(wrong));
  }
});

test('the token works as a bearer token and in Keyway-Admin-Token', async () => {
  assert.equal((await h.app.inject({ url: '/services', headers: h.auth })).statusCode, 200);
  assert.equal(
    (await h.app.inject({ url: '/services', headers: { 'keyway-admin-token': h.token } })).statusCode,
    200,
  );
});

test('/health and /ready answer without a token; /ready says 503 when not ready', async () => {
  const health = await h.app.inject({ url: '/health' });
  assert.equal(health.statusCode, 200);
  assert.deepEqual(health.json<TestBody>(), { status: 'ok' });
  assert.deepEqual((await h.app.inject({ url: '/ready' })).json<TestBody>(), { ready: true });
  h.ready = { ready: false, reason: 'store unreachable' };
  try {
    const res = await h.app.inject({ url: '/ready' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json<TestBody>().error.code, 'KW_ERR_NOT_READY');
  } finally {
    h.ready = { ready: true };
  }
});

test('/status returns the node status', async () => {
  const res = await h.app.inject({ url: '/status', headers: h.auth });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json<TestBody>().store, 'sqlite');
});

test('errors carry the request id, from x-request-id when it is sane', async () => {
  const res = await h.app.inject({ url: '/nope', headers: { ...h.auth, 'x-request-id': 'trace-123' } });
  assert.equal(res.statusCode, 404);
  assert.equal(res.headers['x-request-id'], 'trace-123');
  assert.deepEqual(res.json<TestBody>(), {
    error: {
      code: 'KW_ERR_ADMIN_ROUTE_NOT_FOUND',
      message: 'no admin endpoint GET /nope',
      request_id: 'trace-123',
    },
  });
  const insane = await h.app.inject({ url: '/nope', headers: { ...h.auth, 'x-request-id': 'a b\u0001' } });
  assert.match(insane.json<TestBody>().error.request_id ?? '', /^[0-9a-f-]{36}$/);
});

test('bodies must be JSON, well-formed and within the limit', async () => {
  const text = await h.app.inject({
    method: 'POST',
    url: '/services',
    headers: { ...h.auth, 'content-type': 'text/plain' },
    payload: 'x',
  });
  assert.equal(text.statusCode, 415);
  assert.equal(text.json<TestBody>().error.code, 'KW_ERR_UNSUPPORTED_MEDIA_TYPE');
  const bad = await h.app.inject({
    method: 'POST',
    url: '/services',
    headers: { ...h.auth, 'content-type': 'application/json' },
    payload: '{"name":',
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json<TestBody>().error.code, 'KW_ERR_VALIDATION');
  const proto = await h.app.inject({
    method: 'POST',
    url: '/services',
    headers: { ...h.auth, 'content-type': 'application/json' },
    payload: '{"name":"p","url":"http://x","__proto__":{"admin":true}}',
  });
  assert.equal(proto.statusCode, 400);
});

test('too-large bodies get 413 in the error shape', async () => {
  const small = await startAdmin({ bodyLimit: 1024 });
  try {
    const res = await small.app.inject({
      method: 'POST',
      url: '/services',
      headers: small.auth,
      payload: { name: 'big', url: 'http://x', description: 'x'.repeat(2000) },
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json<TestBody>().error.code, 'KW_ERR_PAYLOAD_TOO_LARGE');
  } finally {
    await small.close();
  }
});
