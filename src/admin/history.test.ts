/**
 * Config history through the admin API and the CLI: every change a version with who and when, a kept
 * document per version (secrets sealed), rollback as a new audited version, retention bounded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { main } from '../cli/main.js';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';
import { adminWith } from '../../test/helpers/admin-users.js';

const PLAIN = 'sk-history-plaintext-0123456789';

describe('config history and rollback', () => {
  let h: AdminHarness;
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, headers = h.auth) => {
    const res = await h.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    return {
      status: res.statusCode,
      body: res.body === '' ? ({} as TestBody) : res.json<TestBody>(),
      text: res.body,
    };
  };

  before(async () => {
    h = await startAdmin();
    assert.equal((await call('POST', '/workspaces', { name: 'shop' })).status, 201);
  });
  after(async () => h.close());

  it('keeps every change as a version with who made it; rollback restores one as a new version', async () => {
    const rita = await adminWith(h, 'rita', [{ workspace: 'shop', role: 'workspace_admin' }]);
    assert.equal(
      (await call('POST', '/workspaces/shop/services', { name: 'svc', url: 'http://127.0.0.1:9' }, rita))
        .status,
      201,
    );
    assert.equal(
      (await call('POST', '/workspaces/shop/routes', { name: 'api', service: 'svc', paths: ['/api'] }, rita))
        .status,
      201,
    );
    const list = await call('GET', '/workspaces/shop/history');
    const [withRoute, withService] = list.body.data as unknown as Array<{
      version: number;
      actor: string;
      summary: string;
    }>;
    assert.ok(withRoute !== undefined && withService !== undefined);
    assert.ok(withRoute.version > withService.version);
    assert.match(withRoute.actor, /^rita \(token /);
    assert.equal(withRoute.summary, 'create routes/api');

    assert.equal((await call('DELETE', '/workspaces/shop/routes/api', undefined, rita)).status, 204);
    const dry = await call(
      'POST',
      `/workspaces/shop/history/${withRoute.version}/rollback?dry_run=true`,
      undefined,
      rita,
    );
    assert.equal(dry.status, 200, dry.text);
    assert.deepEqual(
      dry.body.changes.map((c) => `${c.action} ${c.kind} ${c.key}`),
      ['create routes api'],
    );
    assert.equal((await call('GET', '/workspaces/shop/routes/api')).status, 404);

    const restored = await call(
      'POST',
      `/workspaces/shop/history/${withRoute.version}/rollback`,
      undefined,
      rita,
    );
    assert.equal(restored.status, 200, restored.text);
    assert.equal((await call('GET', '/workspaces/shop/routes/api')).status, 200);
    const newest = (await call('GET', '/workspaces/shop/history?limit=1')).body.data[0] as unknown as {
      version: number;
      summary: string;
      actor: string;
    };
    assert.equal(newest.version, restored.body.version);
    assert.equal(newest.summary, `rollback to version ${withRoute.version}`);
    const audit = await call('GET', '/audit-log?workspace=shop&limit=1');
    assert.match(audit.body.data[0]?.actor ?? '', /^rita \(token /);
  });

  it('a viewer reads the history but cannot roll back; a version not kept is 404', async () => {
    const viewer = await adminWith(h, 'vic', [{ workspace: 'shop', role: 'viewer' }]);
    assert.equal((await call('GET', '/workspaces/shop/history', undefined, viewer)).status, 200);
    const refused = await call('POST', '/workspaces/shop/history/1/rollback', undefined, viewer);
    assert.equal(refused.status, 403);
    const missing = await call('POST', '/workspaces/shop/history/999999/rollback');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'KW_ERR_NOT_FOUND');
  });

  it('kept documents hold secrets sealed, never in clear', async () => {
    const created = await call('POST', '/workspaces/shop/ai_providers', {
      name: 'oa',
      type: 'openai',
      base_url: 'http://127.0.0.1:9/v1',
      keys: [{ id: 'k1', secret: PLAIN }],
    });
    assert.equal(created.status, 201, created.text);
    const version = (await call('GET', '/workspaces/shop/history?limit=1')).body.data[0] as unknown as {
      version: number;
    };
    const kept = await call('GET', `/workspaces/shop/history/${version.version}`);
    assert.ok(!kept.text.includes(PLAIN));
    assert.match(kept.text, /"secret_enc":"/);
    const stored = await h.store.getHistory('shop', version.version);
    assert.ok(!JSON.stringify(stored).includes(PLAIN));
  });

  it('keeps the last N versions of each workspace', async () => {
    assert.equal((await call('POST', '/workspaces', { name: 'bounded' })).status, 201);
    for (const v of [1001, 1002, 1003])
      await h.store.transaction(async (tx) =>
        tx.recordHistory({ workspace: 'bounded', version: v, actor: 'a', summary: 's' }, 2),
      );
    const page = await h.store.listHistory('bounded', { limit: 10 });
    assert.deepEqual(
      page.data.map((e) => e.version),
      [1003, 1002],
    );
  });

  it('keyway history lists and keyway rollback restores', async () => {
    const adminUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const run = async (argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(
        [...argv, '--admin-url', adminUrl, '--token', h.token],
        {},
        {
          out: (t) => void out.push(...t.replace(/\n$/, '').split('\n')),
          err: (t) => void err.push(...t.replace(/\n$/, '').split('\n')),
        },
      );
      return { code, out, err };
    };
    const listed = await run(['history', '--workspace', 'shop', '--limit', '3']);
    assert.equal(listed.code, 0, listed.err.join('\n'));
    assert.match(listed.out[0] ?? '', /^\s*\d+ {2}\S+ {2}admin {2}create ai_providers\/oa$/);
    const target = /^\s*(\d+)/.exec(listed.out[1] ?? '')?.[1] ?? '';
    const back = await run(['rollback', target, '--workspace', 'shop']);
    assert.equal(back.code, 0, back.err.join('\n'));
    assert.match(back.out.join('\n'), new RegExp(`restored version ${target} as version \\d+`));
    assert.equal((await call('GET', '/workspaces/shop/ai_providers/oa')).status, 404);
  });
});
