/** Key endpoints of the admin API and keys in declarative files, against a real SQLite store. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KeywayError } from '../core/errors.js';
import { KeyService } from '../keys/key-service.js';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';

describe('admin API: keys', () => {
  let h: AdminHarness;
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
    const res = await h.app.inject({
      method,
      url,
      headers: h.auth,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: res.statusCode, body: res.json<TestBody>(), text: res.body };
  };

  before(async () => {
    h = await startAdmin();
    const doc = {
      _format_version: '1',
      consumers: [{ username: 'acme', apps: [{ name: 'acme-dashboard', scopes: ['read', 'write'] }] }],
      apps: [
        { name: 'ops-tool', consumer: 'acme', keys: [{ key: 'legacy-0123456789abcdef', scopes: ['read'] }] },
      ],
    };
    const applied = await call('POST', '/config', doc);
    assert.equal(applied.status, 200, applied.text);
    assert.deepEqual(applied.body['keys'], { imported: 1, unchanged: 0 });
  });
  after(async () => h.close());

  it('issues a key once, lists records without secrets, and gets one by id', async () => {
    const created = await call('POST', '/apps/acme-dashboard/keys', {
      scopes: ['read'],
      tier: 'gold',
      expires_in_s: 3600,
    });
    assert.equal(created.status, 201, created.text);
    const key = created.body['key'] as string;
    const rec = created.body['record'] as { id: string; app: string; state: string; tier: string };
    assert.match(key, /^kw_live_/);
    assert.equal(rec.app, 'acme-dashboard');
    assert.equal(rec.state, 'active');
    const list = await call('GET', '/apps/acme-dashboard/keys');
    assert.equal(list.body.total, 1);
    assert.ok(!list.text.includes(key) && !list.text.includes('"hash"'));
    assert.equal((await call('GET', `/keys/${rec.id}`)).body['tier'], 'gold');
    assert.equal((await call('GET', '/keys?app=ops-tool')).body.total, 1);
    assert.equal((await h.resolver.resolve(key))?.id, rec.id);
  });

  it('refuses scopes the app may not use, unknown apps and malformed kw_ imports', async () => {
    const bad = await call('POST', '/apps/acme-dashboard/keys', { scopes: ['admin'] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0]?.path, '/scopes/0');
    assert.equal((await call('POST', '/apps/nope/keys', {})).status, 404);
    const imp = await call('POST', '/apps/acme-dashboard/keys/import', {
      key: 'kw_live_notreallyakey_abcdef',
    });
    assert.equal(imp.status, 400);
    assert.ok(!imp.text.includes('notreallyakey'), 'the key is not echoed');
  });

  it('imports, rotates and revokes, evicting from the resolver at once', async () => {
    const imp = await call('POST', '/workspaces/default/apps/acme-dashboard/keys/import', {
      key: 'old-gateway-key-00000001',
    });
    assert.equal(imp.status, 201, imp.text);
    assert.equal(imp.body['source'], 'imported');
    assert.equal((await h.resolver.resolve('old-gateway-key-00000001'))?.id, imp.body.id);
    assert.equal(
      (await call('POST', '/apps/acme-dashboard/keys/import', { key: 'old-gateway-key-00000001' })).status,
      409,
    );

    const rotated = await call('POST', `/keys/${imp.body.id}/rotate`, { grace_period_s: 0 });
    assert.equal(rotated.status, 201, rotated.text);
    assert.equal(await h.resolver.resolve('old-gateway-key-00000001'), undefined, 'grace 0: stops at once');
    const next = rotated.body['key'] as string;
    assert.ok(await h.resolver.resolve(next));
    const revoked = await call('DELETE', `/keys/${(rotated.body['record'] as { id: string }).id}`);
    assert.equal(revoked.body['state'], 'revoked');
    assert.equal(await h.resolver.resolve(next), undefined);
  });

  it('exports apps nested under consumers without keys, and apply leaves unlisted keys alone', async () => {
    const exported = await call('GET', '/config');
    assert.ok(!exported.text.includes('legacy-0123456789abcdef') && !exported.text.includes('"keys"'));
    const consumers = exported.body['consumers'] as Array<{ apps?: Array<{ name: string }> }>;
    assert.deepEqual(
      consumers[0]?.apps?.map((a) => a.name),
      ['acme-dashboard', 'ops-tool'],
    );
    const before = (await call('GET', '/keys')).body.total;
    const again = await call('POST', '/config', exported.body);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body.changes, []);
    assert.equal((await call('GET', '/keys')).body.total, before);
    assert.ok(await h.resolver.resolve('legacy-0123456789abcdef'));
  });

  it('refuses an expiry in the past with 400 naming expires_at, and creates nothing', async () => {
    const before = (await call('GET', '/apps/acme-dashboard/keys')).body.total;
    const past = new Date(Date.now() - 60_000).toISOString();
    const created = await call('POST', '/apps/acme-dashboard/keys', { expires_at: past });
    assert.equal(created.status, 400, created.text);
    assert.equal(created.body.error.code, 'KW_ERR_VALIDATION');
    assert.equal(created.body.error.details[0]?.path, '/expires_at');
    assert.match(created.body.error.message, /expires_at/);
    const imported = await call('POST', '/apps/acme-dashboard/keys/import', {
      key: 'expired-import-0000000001',
      expires_at: past,
    });
    assert.equal(imported.status, 400, imported.text);
    assert.equal(imported.body.error.details[0]?.path, '/expires_at');
    assert.equal((await call('GET', '/apps/acme-dashboard/keys')).body.total, before);
    assert.equal(await h.resolver.resolve('expired-import-0000000001'), undefined);
    const file = await call('POST', '/config', {
      _format_version: '1',
      consumers: [{ username: 'acme', apps: [{ name: 'acme-dashboard', scopes: ['read', 'write'] }] }],
      apps: [
        {
          name: 'ops-tool',
          consumer: 'acme',
          keys: [
            { key: 'legacy-0123456789abcdef', scopes: ['read'] },
            { key: 'expired-in-file-000000001', expires_at: past },
          ],
        },
      ],
    });
    assert.equal(file.status, 400, file.text);
    assert.deepEqual(
      file.body.error.details.map((d) => d.path),
      ['/apps/0/keys/1/expires_at'],
    );
    assert.ok(!file.text.includes('expired-in-file'));
  });

  it('refuses to rotate a key that has expired (409): the new key would be born expired', async () => {
    let now = Date.now();
    const clocked = new KeyService(h.store, h.resolver, () => now);
    const issued = await clocked.create('default', 'acme-dashboard', { expires_in_s: 60 }, 'test');
    now += 61_000;
    await assert.rejects(
      clocked.rotate('default', issued.record.id, {}, 'test'),
      (err: unknown) =>
        err instanceof KeywayError && err.code === 'KW_ERR_CONFLICT' && /expired/.test(err.message),
    );
  });

  it('reports key problems in a file with JSON pointers, and a key listed twice', async () => {
    const doc = {
      _format_version: '1',
      consumers: [
        {
          username: 'acme',
          apps: [
            { name: 'acme-dashboard', scopes: ['read', 'write'], keys: [{ key: 'short' }] },
            {
              name: 'ops-tool',
              consumer: 'other',
              keys: [{ key: 'dup-key-000000000' }, { key: 'dup-key-000000000' }],
            },
          ],
        },
      ],
    };
    const r = await call('POST', '/config?dry_run=true', doc);
    assert.equal(r.status, 400);
    const paths = r.body.error.details.map((d) => d.path);
    assert.ok(paths.includes('/consumers/0/apps/0/keys/0/key'), paths.join());
    assert.ok(paths.includes('/consumers/0/apps/1/consumer'), paths.join());
    assert.ok(paths.includes('/consumers/0/apps/1/keys/1/key'), paths.join());
    assert.ok(!r.text.includes('dup-key-000000000'));
  });
});
