import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { request } from 'undici';
import { startEcho, type Echo, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';

describe('routing', () => {
  let echo: TestServer;
  let gw: TestGateway;

  before(async () => {
    echo = await startEcho();
    const url = `http://${echo.address}`;
    gw = await startGateway(
      state({
        services: [
          { name: 'weather', url },
          { name: 'based', url: `${url}/v1/` },
          { name: 'other', url },
        ],
        routes: [
          { name: 'weather', service: 'weather', paths: ['/weather'] },
          { name: 'weather-today', service: 'other', paths: ['=/weather/today'] },
          { name: 'keep', service: 'weather', paths: ['/keep'], strip_path: false },
          { name: 'based', service: 'based', paths: ['/based'] },
          { name: 'users', service: 'weather', paths: ['/users/:id'], path_rewrite: '/people/{id}{rest}' },
          {
            name: 'regex',
            service: 'other',
            paths: ['~^/v(?<ver>[0-9]+)/items'],
            path_rewrite: '/items-v{ver}{rest}',
          },
          { name: 'host-exact', service: 'based', hosts: ['api.example.com'], paths: ['/weather'] },
          { name: 'host-wild', service: 'based', hosts: ['*.example.org'], paths: ['/'] },
          { name: 'posts-only', service: 'other', methods: ['POST'], paths: ['/submit'] },
          { name: 'beta', service: 'other', paths: ['/weather/beta'], headers: { 'x-channel': ['beta'] } },
        ],
      }),
    );
  });
  after(async () => {
    await gw.close();
    await echo.close();
  });

  async function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
    const res = await request(gw.url + path, { method: method as 'GET', headers });
    const text = await res.body.text();
    return {
      status: res.statusCode,
      headers: res.headers,
      text,
      json: () => JSON.parse(text) as Echo & { error: { code: string; request_id: string } },
    };
  }

  it('forwards a prefix route and strips the prefix', async () => {
    const r = await get('/weather/today/hourly?x=1');
    assert.equal(r.status, 200);
    assert.equal(r.json().url, '/today/hourly?x=1');
  });

  it('prefers an exact route over a prefix', async () => {
    const r = await get('/weather/today');
    assert.equal(r.json().url, '/');
    assert.equal((await get('/weather')).json().url, '/');
  });

  it('does not match a prefix inside a segment', async () => {
    const r = await get('/weathervane');
    assert.equal(r.status, 404);
    assert.equal(r.json().error.code, 'KW_ERR_NO_ROUTE');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.json().error.request_id, r.headers['x-request-id']);
  });

  it('keeps the path with strip_path false and joins the service base path', async () => {
    assert.equal((await get('/keep/a')).json().url, '/keep/a');
    assert.equal((await get('/based/a/b')).json().url, '/v1/a/b');
    assert.equal((await get('/based')).json().url, '/v1');
  });

  it('rewrites with parameters and the rest of the path', async () => {
    assert.equal((await get('/users/42/photos')).json().url, '/people/42/photos');
    assert.equal((await get('/v3/items/9?q=a')).json().url, '/items-v3/9?q=a');
  });

  it('matches hosts exactly and by wildcard, port ignored', async () => {
    assert.equal((await get('/weather/x', { host: 'api.example.com:8000' })).json().url, '/v1/x');
    assert.equal((await get('/anything', { host: 'eu.example.org' })).json().url, '/v1/anything');
    assert.equal((await get('/weather/x', { host: 'unknown.test' })).json().url, '/x');
  });

  it('honours methods and header conditions', async () => {
    assert.equal((await get('/submit')).status, 404);
    assert.equal((await get('/submit', {}, 'POST')).status, 200);
    const beta = await get('/weather/beta/x', { 'x-channel': 'BETA' });
    assert.equal(beta.json().url, '/x');
    const noHeader = await get('/weather/beta/x');
    assert.equal(noHeader.json().url, '/beta/x', 'falls back to the /weather prefix route');
  });

  it('removes dot segments before routing', async () => {
    const r = await get('/keep/../weather/a');
    assert.equal(r.json().url, '/a');
    assert.equal((await get('/keep/%2e%2e/weather/b')).json().url, '/b');
  });

  it('sets forwarding headers and a request id, removes hop-by-hop headers', async () => {
    const r = await rawGet(gw.port, '/weather/h', {
      'x-forwarded-for': '6.6.6.6',
      connection: 'keep-alive, x-secret-hop',
      'x-secret-hop': '1',
      'proxy-authorization': 'Basic abc',
      'x-request-id': 'abc-123',
    });
    const e = r.json();
    assert.equal(e.headers['x-forwarded-for'], '127.0.0.1', 'untrusted XFF is replaced, not extended');
    assert.equal(e.headers['x-forwarded-proto'], 'http');
    assert.match(String(e.headers['forwarded']), /^for=127\.0\.0\.1;proto=http;host="127\.0\.0\.1:\d+"$/);
    assert.equal(e.headers['x-secret-hop'], undefined);
    assert.equal(e.headers['proxy-authorization'], undefined);
    assert.equal(e.headers['x-request-id'], 'abc-123');
    assert.equal(r.headers['x-request-id'], 'abc-123');
    assert.notEqual(r.headers['keep-alive'], 'timeout=7', 'hop-by-hop response headers are not relayed');
    assert.equal(r.headers['x-upstream'], 'echo');
    const generated = await get('/weather/h');
    assert.match(String(generated.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('sends the service host upstream unless preserve_host', async () => {
    const r = await get('/weather/h', { host: 'client.test' });
    assert.equal(r.json().headers.host, echo.address);
  });

  it('passes request bodies and methods through', async () => {
    const res = await request(`${gw.url}/weather/p`, {
      method: 'PUT',
      body: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    const e = (await res.body.json()) as Echo;
    assert.equal(e.method, 'PUT');
    assert.equal(e.body, 'hello');
  });
});

/** node:http lets a test send a Connection header listing extra hop-by-hop fields; undici refuses to. */
function rawGet(port: number, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; json: () => Echo }>(
    (resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: () => JSON.parse(text) as Echo,
          }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}
