// The documented decK shapes convert, and the Keyway files apply to a real store through the admin API
// (schemas, plugin configs, references, route collisions, key imports, sealed secrets) — with every
// difference reported and nothing else.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { commonPlugins, GETTING_STARTED, LOAD_BALANCED } from '../../../../test/fixtures/kong-examples.js';
import { startAdmin, type AdminHarness, type TestBody } from '../../../../test/helpers/admin-harness.js';
import { formatNote, importKong, type ImportNote } from './index.js';

const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const RSA_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

const show = (notes: ImportNote[]) => notes.map(formatNote).sort();

describe('documented decK examples: import, then apply', () => {
  let h: AdminHarness;
  before(async () => {
    h = await startAdmin();
  });
  after(() => h.close());

  const apply = async (workspace: string, doc: unknown, on: AdminHarness = h) => {
    const res = await on.app.inject({
      method: 'POST',
      url: '/config',
      headers: on.auth,
      payload: { ...(doc as object), workspace },
    });
    return { status: res.statusCode, body: res.json<TestBody>() };
  };

  it('getting started: the key, the route, the rate limit; one difference reported', async () => {
    const { document, notes } = importKong('kong.yaml', parse(GETTING_STARTED));
    assert.deepEqual(show(notes), [
      'services[0].plugins[0] (rate-limiting): converted with a difference: Kong counts fixed clock windows (up to twice the limit across a boundary); Keyway counts sliding windows: never more than the limit in any second/minute/hour',
    ]);
    const res = await apply('getting-started', document);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((res.body['keys'] as { imported: number }).imported, 1);
    assert.ok(!JSON.stringify(res.body).includes('top-secret-key'), 'the apply answer never shows a key');
  });

  it('load balancing: upstream, targets, host-named service, regex and host routes; nothing to report', async () => {
    const { document, notes } = importKong('kong.yaml', parse(LOAD_BALANCED));
    assert.deepEqual(show(notes), []);
    // A node of its own: its host route on `/` would take getting-started's `/mock` requests on that host,
    // which two workspaces of one node may not do (docs/routing.md#matching).
    const lb = await startAdmin();
    const res = await apply('load-balanced', document, lb).finally(() => lb.close());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const svc = document.services?.[0];
    assert.equal(svc?.url, 'http://example_upstream/api');
    assert.deepEqual(svc?.routes?.[0]?.paths, ['~^/items/\\d+$']);
  });

  it('the common plugins: converted where Keyway can, each other one reported at its place', async () => {
    const { document, notes } = importKong('kong.yaml', parse(commonPlugins(RSA_PEM)), {
      jwtAudiences: ['https://reports.example.com'],
    });
    assert.deepEqual(
      show(notes),
      [
        'plugins[1] (request-transformer): not converted: Keyway has no request transformer yet (a route’s path_rewrite rewrites paths)',
        'services[0] (service): converted with a difference: Kong does not verify the upstream’s certificate unless tls_verify is set; Keyway does by default (tls_verify: true)',
        'services[0].plugins[2] (cors): not converted: Keyway has no CORS plugin yet: preflight requests reach the route’s plugins and the upstream',
        'services[0].plugins[3] (proxy-cache): not converted: Keyway has no response cache yet',
        'services[0].routes[0].plugins[0].config.hide_groups_header (acl): not converted: Keyway does not send X-Consumer-Groups upstream',
        'services[1].routes[0].plugins[1] (rate-limiting): converted with a difference: Kong counts fixed clock windows (up to twice the limit across a boundary); Keyway counts sliding windows: never more than the limit in any second/minute/hour',
      ].sort(),
    );
    const res = await apply('common-plugins', document);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((res.body['keys'] as { imported: number }).imported, 2);
    const text = JSON.stringify(res.body);
    assert.ok(!text.includes('ann-hmac-secret'), 'the JWT secret is sealed, never shown');
  });

  it('without --jwt-audience the jwt plugin is reported, not written', () => {
    const { document, notes } = importKong('kong.yaml', parse(commonPlugins(RSA_PEM)));
    assert.ok(
      show(notes).some((n) =>
        n.startsWith('services[1].routes[0].plugins[0] (jwt): not converted: Keyway checks a token’s aud'),
      ),
    );
    assert.ok(!JSON.stringify(document).includes('jwt-auth'));
  });
});
