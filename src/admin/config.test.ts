import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';

let h: AdminHarness;
before(async () => {
  h = await startAdmin();
});
after(async () => h.close());

const doc = {
  _format_version: '1',
  services: [
    {
      name: 'weather',
      url: 'http://weather.internal:8080',
      routes: [
        {
          name: 'weather',
          paths: ['/weather'],
          plugins: [{ name: 'response-headers', config: { set: { 'x-kw': '1' } } }],
        },
      ],
    },
  ],
};

async function post(url: string, payload: object) {
  const res = await h.app.inject({ method: 'POST', url, headers: h.auth, payload });
  return { status: res.statusCode, body: res.json<TestBody>() };
}

test('dry run lists the changes and writes nothing', async () => {
  const before = await h.store.configVersion();
  const res = await post('/config?dry_run=true', doc);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.dry_run, true);
  assert.deepEqual(
    res.body.changes.map((c: { action: string; kind: string }) => `${c.action} ${c.kind}`).sort(),
    ['create plugins', 'create routes', 'create services'],
  );
  assert.equal(await h.store.configVersion(), before);
  assert.equal((await h.app.inject({ url: '/services/weather', headers: h.auth })).statusCode, 404);
});

test('apply creates; export gives it back; applying the export changes nothing', async () => {
  const applied = await post('/config', doc);
  assert.equal(applied.status, 200, JSON.stringify(applied.body));
  assert.equal(applied.body.changes.length, 3);
  assert.ok(applied.body.version > 0);
  assert.equal(
    (await h.app.inject({ url: '/routes/weather', headers: h.auth })).json<TestBody>().service,
    'weather',
  );

  const exported = await h.app.inject({ url: '/config?workspace=default', headers: h.auth });
  assert.equal(exported.statusCode, 200);
  const again = await post('/config', exported.json<TestBody>());
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.deepEqual(again.body.changes, []);
});

test('a broken document is refused with pointers into it', async () => {
  const broken = {
    _format_version: '1',
    services: [{ name: 'weather', url: 'http://x', routes: [{ name: 'w', pathz: ['/w'] }] }],
  };
  const res = await post('/config', broken);
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'KW_ERR_VALIDATION');
  assert.deepEqual(res.body.error.details, [
    { path: '/services/0/routes/0/pathz', message: 'is not a known field' },
  ]);
});

test('every problem of a document comes back in one answer, duplicates included', async () => {
  const twice = { name: 'dup', url: 'http://x' };
  const res = await post('/config?dry_run=true', {
    _format_version: '1',
    services: [{ ...twice, colour: 1 }, twice],
  });
  assert.equal(res.status, 400);
  const paths = res.body.error.details.map((d) => d.path);
  assert.ok(paths.includes('/services/0/colour'), JSON.stringify(paths));
  assert.ok(paths.includes('/services/1/name'), JSON.stringify(paths));
});

test('/openapi.json is an OpenAPI 3.1 document covering the API', async () => {
  const res = await h.app.inject({ url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  const spec = res.json<{
    openapi: string;
    paths: Record<
      string,
      Record<string, { requestBody: { content: Record<string, { schema: { $ref?: string } }> } }>
    >;
    components: {
      securitySchemes: Record<string, unknown>;
      schemas: Record<string, { additionalProperties: unknown; properties: Record<string, unknown> }>;
    };
  }>();
  assert.equal(spec.openapi, '3.1.0');
  for (const p of [
    '/workspaces/{workspace}/services',
    '/workspaces/{workspace}/services/{idOrKey}',
    '/workspaces/{workspace}/routes',
    '/config',
    '/audit-log',
    '/plugins/available',
    '/health',
  ]) {
    assert.ok(spec.paths[p], `missing ${p}`);
  }
  const body =
    spec.paths['/workspaces/{workspace}/services']?.['post']?.requestBody.content['application/json'];
  assert.equal(body?.schema.$ref, '#/components/schemas/ServiceInput');
  const schema = spec.components.schemas['ServiceInput'];
  assert.ok(schema);
  assert.equal(schema.additionalProperties, false);
  assert.ok(schema.properties['url']);
  assert.ok(spec.components.securitySchemes['bearer']);
});

test('/plugins/available lists the built-in plugins with their config schemas', async () => {
  const res = await h.app.inject({ url: '/plugins/available', headers: h.auth });
  const data = res.json<{ data: Array<{ name: string; config_schema: { type: string } }> }>().data;
  assert.ok(data.some((p) => p.name === 'response-headers'));
  assert.ok(data.every((p) => p.config_schema.type === 'object'));
});
