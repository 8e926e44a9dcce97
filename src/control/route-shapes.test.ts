// Two paths that differ only in their parameters' names, for a shared method and host, cannot be loaded by
// the router (one node per shape): the admin API refuses the second with the field path, whatever the
// routes' header conditions, instead of accepting a configuration no node can serve.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../store/types.js';
import { compileSnapshot } from '../snapshot/compile.js';
import { AgentCache } from '../snapshot/agents.js';
import { createConfigService } from './config-service.js';
import { rejectsWith, sqliteStore } from '../../test/helpers/sqlite-store.js';

const admin = { name: 'alice' };

describe('paths differing only in parameter names', () => {
  let store: Store;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ store, cleanup } = await sqliteStore());
  });
  after(() => cleanup());

  it('are refused across routes, even with different header conditions; disjoint methods are fine', async () => {
    const svc = createConfigService(store);
    await svc.create('services', 'default', { name: 'users', url: 'http://users.local' }, admin);
    await svc.create(
      'routes',
      'default',
      { name: 'by-id', service: 'users', paths: ['/u/:id'], headers: { 'x-v': ['1'] } },
      admin,
    );
    const v = await store.configVersion();
    await assert.rejects(
      svc.create(
        'routes',
        'default',
        { name: 'by-uid', service: 'users', paths: ['/u/:uid'], headers: { 'x-v': ['2'] } },
        admin,
      ),
      (err: unknown) => {
        rejectsWith('KW_ERR_VALIDATION', ['/paths/0'])(err);
        const details = (err as { details?: Array<{ message: string }> }).details ?? [];
        assert.match(details[0]?.message ?? '', /only in its parameter names/);
        return true;
      },
    );
    assert.equal(await store.configVersion(), v, 'nothing written');
    // The same shape for methods the first route does not take loads, and is accepted.
    await svc.patch('routes', 'default', 'by-id', { methods: ['GET'] }, admin);
    await svc.create(
      'routes',
      'default',
      { name: 'by-uid-post', service: 'users', paths: ['/u/:uid'], methods: ['POST'] },
      admin,
    );
    const snapshot = compileSnapshot(await store.loadAll(), { agents: new AgentCache() });
    assert.equal(snapshot.router.match('POST', undefined, '/u/7', {})?.route.name, 'by-uid-post');
    await snapshot.close();
  });

  it('are refused within one route', async () => {
    const svc = createConfigService(store);
    await assert.rejects(
      svc.create('routes', 'default', { name: 'twice', service: 'users', paths: ['/t/:a', '/t/:b'] }, admin),
      rejectsWith('KW_ERR_VALIDATION', ['/paths/1']),
    );
  });
});
