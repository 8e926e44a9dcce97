/**
 * The OpenAPI document and the admin API it describes agree: every route is in it, every operation in
 * it is routed, real answers match their declared schemas, and the client types the CLI is built with
 * are the ones the document gives (scripts/admin-api-types.mjs).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createAjv } from '../../core/validator.js';
import { declaredRoutes } from '../authorize.js';
import { DEFAULT_WORKSPACE_PATH, OPENAPI_PATH, openApiPath } from './document.js';
import { startAdmin, type AdminHarness } from '../../../test/helpers/admin-harness.js';

interface Operation {
  operationId?: string;
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
  [DEFAULT_WORKSPACE_PATH]?: string;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const root = new URL('../../../../', import.meta.url);

function operations(doc: Doc): Array<{ path: string; method: string; op: Operation }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ path, method, op })),
  );
}

describe('the admin API’s OpenAPI document', () => {
  let h: AdminHarness;
  let doc: Doc;
  let text: string;
  before(async () => {
    h = await startAdmin();
    const res = await h.app.inject({ url: OPENAPI_PATH });
    assert.equal(res.statusCode, 200, 'served without a token');
    text = res.body;
    doc = res.json<Doc>();
  });
  after(async () => h.close());

  it('has every registered route, once: a workspace-scoped twin names its top-level path', () => {
    const described = new Set<string>();
    for (const { path, method, op } of operations(doc)) {
      described.add(`${method.toUpperCase()} ${path}`);
      const alias = op[DEFAULT_WORKSPACE_PATH];
      if (alias !== undefined) described.add(`${method.toUpperCase()} ${alias}`);
    }
    // Hidden: the document itself, and the web console's pages (served, not operations of the API).
    const routes = declaredRoutes(h.app).filter((r) => r.method !== 'HEAD' && r.hidden !== true);
    assert.ok(routes.length > 150, `${routes.length} routes`);
    const missing = routes.map((r) => `${r.method} ${openApiPath(r.url)}`).filter((r) => !described.has(r));
    assert.deepEqual(missing, []);
    assert.equal(described.size, routes.length, 'no operation the app does not route');
  });

  it('names every operation uniquely and gives every authenticated one its error answers', () => {
    const ids = operations(doc).map(({ op }) => op.operationId);
    assert.ok(
      ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id)),
      String(ids),
    );
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    // redocly.yaml turns operation-4xx-response off for the two probes; this keeps it for the rest.
    for (const { path, method, op } of operations(doc)) {
      if (path === '/health' || path === '/ready') continue;
      assert.ok(
        Object.keys(op.responses).some((code) => code.startsWith('4')),
        `${method} ${path} declares a 4XX answer`,
      );
      for (const [code, r] of Object.entries(op.responses))
        if (code.startsWith('4') || code.startsWith('5'))
          assert.match(String(r.$ref), /^#\/components\/responses\//, `${method} ${path} ${code}`);
    }
  });

  it('routes every operation it describes (none answers route-not-found)', async () => {
    for (const { path, method } of operations(doc)) {
      // Names that exist nowhere: no call changes anything, each fails its own way or succeeds empty.
      const url = path.replace(/\{version\}/g, '999').replace(/\{[^}]+\}/g, 'contract-none');
      const res = await h.app.inject({
        method: method.toUpperCase() as 'GET',
        url,
        headers: h.auth,
        ...(['post', 'put', 'patch'].includes(method) ? { payload: {} } : {}),
      });
      assert.notEqual(
        res.statusCode === 404 && res.json<{ error: { code: string } }>().error.code,
        'KW_ERR_ADMIN_ROUTE_NOT_FOUND',
        `${method} ${url}`,
      );
    }
  });

  it('describes the answers real calls get', async () => {
    const ajv = createAjv({ strict: false, allErrors: true });
    ajv.addSchema({ ...doc, $id: 'admin-api' });
    const check = (name: string, value: unknown): void => {
      const validate = ajv.getSchema(`admin-api#/components/schemas/${name}`);
      assert.ok(validate, name);
      assert.ok(validate(value), `${name}: ${JSON.stringify(validate.errors)}`);
    };
    const post = await h.app.inject({
      method: 'POST',
      url: '/services',
      headers: h.auth,
      payload: { name: 'contract', url: 'http://127.0.0.1:9/', tags: ['a'] },
    });
    assert.equal(post.statusCode, 201);
    check('Service', post.json());
    check(
      'ServicePage',
      (await h.app.inject({ url: '/workspaces/default/services', headers: h.auth })).json(),
    );
    check('WorkspacePage', (await h.app.inject({ url: '/workspaces', headers: h.auth })).json());
    const bad = await h.app.inject({
      method: 'POST',
      url: '/services',
      headers: h.auth,
      payload: { name: 1 },
    });
    assert.equal(bad.statusCode, 400);
    check('Error', bad.json());
    const history = await h.app.inject({ url: '/workspaces/default/history', headers: h.auth });
    check('HistoryEntryPage', history.json());
    const version = history.json<{ data: Array<{ version: number }> }>().data[0]?.version;
    assert.ok(version !== undefined, 'the service made a version');
    const kept = await h.app.inject({ url: `/workspaces/default/history/${version}`, headers: h.auth });
    check('HistoryVersion', kept.json());
    const exported = await h.app.inject({ url: '/config', headers: h.auth });
    check('DeclarativeDocument', exported.json());
    const status = await h.app.inject({ url: '/status', headers: h.auth });
    const statusSchema =
      doc.paths['/status']?.['get']?.responses['200']?.content?.['application/json']?.schema;
    assert.ok(ajv.validate(statusSchema as object, status.json()), JSON.stringify(ajv.errors));
  });

  it('is small: schemas are shared, not repeated per route', () => {
    // 2.3 MB when every route inlined its schemas; about 200 KB shared.
    assert.ok(text.length < 350_000, `${text.length} bytes`);
    assert.ok(Object.keys(doc.components.schemas).length >= 30);
  });

  it('is what the committed client types were generated from', async () => {
    const script = pathToFileURL(fileURLToPath(new URL('scripts/admin-api-types.mjs', root))).href;
    const generator = (await import(script)) as {
      generateAdminApi: () => Promise<{ types: string }>;
      TYPES_FILE: string;
    };
    const { types } = await generator.generateAdminApi();
    assert.ok(
      types === (await readFile(generator.TYPES_FILE, 'utf8')),
      'src/admin/openapi/admin-api.d.ts is stale: run npm run build and commit it',
    );
  });
});

describe('admin.public_openapi off', () => {
  it('asks for the admin token', async () => {
    const h = await startAdmin({ publicOpenApi: false });
    try {
      assert.equal((await h.app.inject({ url: OPENAPI_PATH })).statusCode, 401);
      assert.equal((await h.app.inject({ url: OPENAPI_PATH, headers: h.auth })).statusCode, 200);
    } finally {
      await h.close();
    }
  });
});
