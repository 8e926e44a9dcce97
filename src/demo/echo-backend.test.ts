// The demo backend behind the README's first five minutes: a JSON echo of each request, real sockets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startEchoBackend, type EchoBackend, type EchoReply } from './echo-backend.js';

let backend: EchoBackend;
const seen: string[] = [];
before(async () => {
  backend = await startEchoBackend('127.0.0.1', 0, (line) => seen.push(line));
});
after(() => backend.close());

test('echoes method, path, query, headers and body as JSON', async () => {
  const res = await request(`http://${backend.address}/today?city=Paris&unit=C&unit=F`, {
    method: 'POST',
    headers: { 'x-request-id': 'r-1', 'content-type': 'text/plain' },
    body: 'hello',
  });
  assert.equal(res.statusCode, 200);
  const echo = (await res.body.json()) as EchoReply;
  assert.equal(echo.server, 'keyway demo backend');
  assert.equal(echo.method, 'POST');
  assert.equal(echo.path, '/today');
  assert.deepEqual(echo.query, { city: 'Paris', unit: ['C', 'F'] });
  assert.equal(echo.headers['x-request-id'], 'r-1');
  assert.equal(echo.body, 'hello');
  assert.equal(echo.body_bytes, 5);
  assert.deepEqual(seen, ['POST /today?city=Paris&unit=C&unit=F → 200']);
});

test('says a credential arrived without echoing it', async () => {
  const res = await request(`http://${backend.address}/x`, {
    headers: { apikey: 'kw_live_secret', authorization: 'Bearer secret', cookie: 'session=secret' },
  });
  const text = await res.body.text();
  assert.doesNotMatch(text, /secret/);
  const echo = JSON.parse(text) as EchoReply;
  assert.equal(echo.headers['apikey'], '(present, not echoed)');
});

test('?status=N answers with that status', async () => {
  const res = await request(`http://${backend.address}/fail?status=503`);
  assert.equal(res.statusCode, 503);
  await res.body.text();
});
