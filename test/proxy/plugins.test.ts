import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { AgentCache } from '../../src/snapshot/agents.js';
import { compileSnapshot } from '../../src/snapshot/compile.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';

describe('plugins on the request path', () => {
  let echo: TestServer;
  let gw: TestGateway;

  before(async () => {
    echo = await startEcho();
    gw = await startGateway(
      state({
        services: [
          { name: 'a', url: `http://${echo.address}` },
          { name: 'b', url: `http://${echo.address}` },
        ],
        routes: [
          { name: 'a', service: 'a', paths: ['/a'] },
          { name: 'a-closed', service: 'a', paths: ['/a/closed'] },
          { name: 'b', service: 'b', paths: ['/b'] },
        ],
        plugins: [
          { name: 'response-headers', config: { set: { 'x-scope': 'global' }, remove: ['x-upstream'] } },
          { name: 'response-headers', service: 'a', config: { set: { 'x-scope': 'service' } } },
          {
            name: 'request-termination',
            route: 'a-closed',
            config: { status_code: 410, message: 'gone for good' },
          },
        ],
      }),
    );
  });
  after(async () => {
    await gw.close();
    await echo.close();
  });

  it('applies the most specific config of a plugin', async () => {
    const a = await request(`${gw.url}/a/x`);
    await a.body.dump();
    assert.equal(a.headers['x-scope'], 'service');
    assert.equal(a.headers['x-upstream'], 'echo', 'the service-level config replaces the global one whole');
    const b = await request(`${gw.url}/b/x`);
    await b.body.dump();
    assert.equal(b.headers['x-scope'], 'global');
    assert.equal(b.headers['x-upstream'], undefined);
  });

  it('lets a plugin answer instead of the upstream', async () => {
    const r = await request(`${gw.url}/a/closed`);
    assert.equal(r.statusCode, 410);
    assert.deepEqual(await r.body.json(), { message: 'gone for good' });
    assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });
});

describe('snapshot compile', () => {
  it('prepares consumer-scoped plugin phases per consumer', async () => {
    const agents = new AgentCache();
    const snap = compileSnapshot(
      state({
        services: [{ name: 's', url: 'http://127.0.0.1:1' }],
        routes: [{ name: 'r', service: 's', paths: ['/'] }],
        consumers: [{ username: 'acme' }, { username: 'other' }],
        plugins: [{ name: 'response-headers', consumer: 'acme', config: { set: { 'x-tier': 'gold' } } }],
      }),
      { agents },
    );
    const route = snap.routes[0];
    assert.ok(route !== undefined);
    assert.equal(route.phases.empty, true, 'without the consumer nothing runs');
    assert.equal(route.consumerPhases?.size, 1);
    const [phases] = [...(route.consumerPhases?.values() ?? [])];
    assert.equal(phases?.respond.length, 1);
    await snap.close();
    await agents.close();
  });

  it('refuses a configuration it cannot serve, naming each problem', () => {
    const agents = new AgentCache();
    assert.throws(
      () =>
        compileSnapshot(
          state({
            services: [
              { name: 's', url: 'ftp://x' },
              { name: 't', url: 'http://127.0.0.1:1' },
            ],
            routes: [
              { name: 'r1', service: 't', paths: ['/x'] },
              { name: 'r2', service: 't', paths: ['/x'] },
              { name: 'r3', service: 't', paths: ['~(unclosed'] },
              { name: 'r4', service: 't', paths: ['/a/:id'], path_rewrite: '/b/{nope}' },
            ],
          }),
          { agents },
        ),
      (err: Error & { details?: Array<{ path: string; message: string }> }) => {
        const paths = (err.details ?? []).map((d) => d.path);
        assert.ok(paths.includes('/default/services/s/url'), paths.join());
        assert.ok(paths.includes('/default/routes/r2/paths/0'), paths.join());
        assert.ok(paths.includes('/default/routes/r3/paths/0'), paths.join());
        assert.ok(paths.includes('/default/routes/r4/path_rewrite'), paths.join());
        return true;
      },
    );
  });
});
