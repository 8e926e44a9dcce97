import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store, StoreTx } from '../store/types.js';
import { createConfigService } from './config-service.js';
import { rejectsWith, sqliteStore } from '../../test/helpers/sqlite-store.js';
import type { ConfigService } from './types.js';

const admin = { name: 'alice' };

/** The store, counting how often a write transaction loads the whole configuration. */
function countingLoads(store: Store): { store: Store; loads: () => number } {
  let loads = 0;
  const counted = (tx: StoreTx): StoreTx =>
    new Proxy(tx, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop === 'loadAll') loads++;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  const wrapped: Store = Object.create(store) as Store;
  wrapped.write = (fn) => store.write((tx) => fn(counted(tx)));
  return { store: wrapped, loads: () => loads };
}

describe('problem baseline per config version', () => {
  let store: Store;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ store, cleanup } = await sqliteStore());
  });
  after(() => cleanup());

  it('loads the whole configuration once per write once the baseline of its version is known', async () => {
    const counting = countingLoads(store);
    const svc = createConfigService(counting.store);
    await svc.create('services', 'default', { name: 'a', url: 'http://a.local' }, admin);
    assert.equal(counting.loads(), 2, 'first write: the state before it and after it');
    await svc.create('routes', 'default', { name: 'ra', service: 'a', paths: ['/a'] }, admin);
    assert.equal(counting.loads(), 3, 'next write: only the state after it');
    await svc.delete('routes', 'default', 'ra', admin);
    assert.equal(counting.loads(), 4);
    await svc.delete('services', 'default', 'a', admin);
  });

  it('still refuses a write that adds a problem when the baseline comes from the cache', async () => {
    const svc = createConfigService(store);
    await svc.create('services', 'default', { name: 'weather', url: 'http://w.local' }, admin);
    await svc.create('routes', 'default', { name: 'one', service: 'weather', paths: ['/one'] }, admin);
    const v = await store.configVersion();
    await assert.rejects(
      svc.create('routes', 'default', { name: 'two', service: 'weather', paths: ['/one'] }, admin),
      rejectsWith('KW_ERR_VALIDATION', ['/paths/0']),
    );
    assert.equal(await store.configVersion(), v);
    // A refused write leaves the baseline of its version as it was: the next collision is refused too.
    await assert.rejects(
      svc.patch('routes', 'default', 'one', { paths: ['/one', '/one'] }, admin),
      rejectsWith('KW_ERR_VALIDATION'),
    );
    await svc.delete('routes', 'default', 'one', admin);
    await svc.delete('services', 'default', 'weather', admin);
  });

  it('recomputes the baseline after a change made elsewhere (another node), so an old problem cannot return', async () => {
    const here = createConfigService(store);
    const elsewhere: ConfigService = createConfigService(store);
    // A problem written before the check existed (straight into the store): "ftp" is not a proxied scheme.
    await store.transaction((tx) => tx.create('services', 'default', { name: 'old', url: 'ftp://old' }));
    // An unrelated write on a configuration that already has the problem is allowed, and caches its baseline.
    await here.create('services', 'default', { name: 'fine', url: 'http://fine.local' }, admin);
    // Another node removes the problem...
    await elsewhere.delete('services', 'default', 'old', admin);
    // ...so bringing it back is a new problem, though this node's last baseline had it.
    await assert.rejects(
      here.create('services', 'default', { name: 'old', url: 'ftp://old' }, admin),
      rejectsWith('KW_ERR_VALIDATION', ['/url']),
    );
    await here.delete('services', 'default', 'fine', admin);
  });
});
