import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';

let h: AdminHarness;
before(async () => {
  h = await startAdmin();
});
after(async () => h.close());

async function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  const res = await h.app.inject({
    method,
    url,
    headers: h.auth,
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: res.statusCode, body: res.body === '' ? ({} as TestBody) : res.json<TestBody>() };
}

test('CRUD round trip for a service, by name and by id', async () => {
  const created = await call('POST', '/services', {
    name: 'weather',
    url: 'http://weather.internal:8080',
    tags: ['team-a'],
  });
  assert.equal(created.status, 201);
  assert.equal(created.body.name, 'weather');
  assert.ok(created.body.id && created.body.created_at && created.body.updated_at);

  assert.equal((await call('GET', '/services/weather')).body.url, 'http://weather.internal:8080');
  assert.equal((await call('GET', `/services/${created.body.id}`)).body.name, 'weather');

  const patched = await call('PATCH', '/services/weather', { retries: 3 });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.retries, 3);
  assert.equal(patched.body.url, 'http://weather.internal:8080');

  const replaced = await call('PUT', '/services/weather', {
    name: 'weather',
    url: 'http://weather2.internal',
  });
  assert.equal(replaced.status, 200);
  assert.equal(replaced.body.retries, undefined, 'PUT replaces the whole resource');
  assert.equal(replaced.body.id, created.body.id);

  const put = await call('PUT', '/services/radar', { name: 'radar', url: 'http://radar.internal' });
  assert.equal(put.status, 201, 'PUT creates when absent');

  assert.equal((await call('DELETE', '/services/radar')).status, 204);
  const gone = await call('GET', '/services/radar');
  assert.equal(gone.status, 404);
  assert.equal(gone.body.error.code, 'KW_ERR_NOT_FOUND');
});

test('validation errors name the fields: unknown field, wrong type, missing name', async () => {
  const res = await call('POST', '/services', { url: 42, retries: 'two', colour: 'blue' });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'KW_ERR_VALIDATION');
  const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
  assert.deepEqual(paths, ['/colour', '/name', '/retries', '/url']);
  const colour = res.body.error.details.find((d: { path: string }) => d.path === '/colour');
  assert.equal(colour?.message, 'is not a known field');
});

test('PATCH also rejects unknown fields instead of dropping them', async () => {
  const res = await call('PATCH', '/services/weather', { retires: 2 });
  assert.equal(res.status, 400);
  assert.deepEqual(res.body.error.details, [{ path: '/retires', message: 'is not a known field' }]);
});

test('conflicts: duplicate name is 409, a dangling reference is refused', async () => {
  const dup = await call('POST', '/services', { name: 'weather', url: 'http://x' });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.error.code, 'KW_ERR_CONFLICT');
  const dangling = await call('POST', '/routes', { name: 'r', service: 'nope', paths: ['/r'] });
  assert.equal(dangling.status, 400);
  assert.equal(dangling.body.error.code, 'KW_ERR_REFERENCE');
});

test('404s: unknown resource, unknown workspace, unknown endpoint', async () => {
  assert.equal((await call('GET', '/routes/nope')).body.error.code, 'KW_ERR_NOT_FOUND');
  assert.equal((await call('GET', '/workspaces/nope/services')).status, 404);
  const endpoint = await call('GET', '/servicez');
  assert.equal(endpoint.status, 404);
  assert.equal(endpoint.body.error.code, 'KW_ERR_ADMIN_ROUTE_NOT_FOUND');
});

test('pagination walks every item once; name and tag filter', async () => {
  for (let i = 0; i < 7; i++) {
    const r = await call('POST', '/upstreams', {
      name: `pool-${i}`,
      targets: [{ target: `10.0.0.${i}:80` }],
      tags: i % 2 === 0 ? ['even'] : ['odd'],
    });
    assert.equal(r.status, 201);
  }
  const seen: string[] = [];
  let next: string | null = null;
  let pages = 0;
  do {
    const page = await call(
      'GET',
      `/upstreams?limit=3${next === null ? '' : `&after=${encodeURIComponent(next)}`}`,
    );
    assert.equal(page.status, 200);
    assert.equal(page.body.total, 7);
    seen.push(...page.body.data.map((u: { name: string }) => u.name));
    next = page.body.next;
    pages++;
  } while (next !== null && pages < 10);
  assert.equal(pages, 3);
  assert.deepEqual(
    [...seen].sort(),
    [0, 1, 2, 3, 4, 5, 6].map((i) => `pool-${i}`),
  );

  const even = await call('GET', '/upstreams?tag=even');
  assert.deepEqual(even.body.data.map((u: { name: string }) => u.name).sort(), [
    'pool-0',
    'pool-2',
    'pool-4',
    'pool-6',
  ]);
  assert.equal((await call('GET', '/upstreams?name=pool-3')).body.data.length, 1);
  assert.equal((await call('GET', '/upstreams?limit=0')).status, 400);
});

test('plugin keys with @, = and , work URL-encoded and plain', async () => {
  assert.equal(
    (await call('POST', '/routes', { name: 'weather', service: 'weather', paths: ['/weather'] })).status,
    201,
  );
  const created = await call('POST', '/plugins', {
    name: 'response-headers',
    route: 'weather',
    config: { set: { 'x-kw': '1' } },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const key = 'response-headers@route=weather';
  const encoded = await call('GET', `/plugins/${encodeURIComponent(key)}`);
  assert.equal(encoded.status, 200);
  assert.deepEqual(encoded.body.config.set, { 'x-kw': '1' });
  assert.equal((await call('GET', `/plugins/${key}`)).status, 200);

  await call('POST', '/consumers', { username: 'acme' });
  const two = await call('POST', '/plugins', {
    name: 'response-headers',
    route: 'weather',
    consumer: 'acme',
  });
  assert.equal(two.status, 201);
  const twoKey = 'response-headers@route=weather,consumer=acme';
  assert.equal(
    (await call('PATCH', `/plugins/${encodeURIComponent(twoKey)}`, { enabled: false })).body.enabled,
    false,
  );
  assert.equal((await call('DELETE', `/plugins/${encodeURIComponent(twoKey)}`)).status, 204);
});

test('bad plugin config is refused with a path under /config', async () => {
  const res = await call('POST', '/plugins', { name: 'response-headers', config: { sett: {} } });
  assert.equal(res.status, 400);
  assert.ok(
    res.body.error.details.some((d: { path: string }) => d.path.startsWith('/config')),
    JSON.stringify(res.body),
  );
});

test('nested: GET /services/:service/routes', async () => {
  const res = await call('GET', '/services/weather/routes');
  assert.equal(res.status, 200);
  assert.deepEqual(
    res.body.data.map((r: { name: string }) => r.name),
    ['weather'],
  );
  assert.equal((await call('GET', '/services/nope/routes')).status, 404);
});

test('workspaces: create, scoped resources, patch, delete; audit names the token', async () => {
  assert.equal((await call('POST', '/workspaces', { name: 'team-b', description: 'B' })).status, 201);
  assert.equal((await call('POST', '/workspaces', { name: 'team-b' })).status, 409);
  assert.equal(
    (await call('POST', '/workspaces/team-b/services', { name: 'weather', url: 'http://b.internal' })).status,
    201,
  );
  assert.equal((await call('GET', '/workspaces/team-b/services/weather')).body.url, 'http://b.internal');
  assert.equal(
    (await call('GET', '/services/weather')).body.url,
    'http://weather2.internal',
    'workspaces are separate',
  );
  assert.equal((await call('PATCH', '/workspaces/team-b', { tags: ['b'] })).body.description, 'B');
  const list = await call('GET', '/workspaces');
  assert.ok(list.body.data.some((w: { name: string }) => w.name === 'team-b'));

  const audit = await call('GET', '/audit-log?workspace=team-b&limit=10');
  assert.equal(audit.status, 200);
  assert.ok(audit.body.data.length >= 1);
  assert.ok(audit.body.data.every((e: { actor: string }) => e.actor === 'admin'));

  assert.equal((await call('DELETE', '/workspaces/team-b')).status, 204);
  assert.equal((await call('GET', '/workspaces/team-b')).status, 404);
});
