import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredApiKey } from '../store/types.js';
import { ApiKeyResolver, type ApiKeySource } from './api-key-resolver.js';
import { LruCache } from './key-cache.js';
import { checkKey, checksumOf, generateKey, visibleIdOf } from './key-format.js';
import { KeyHasher } from './key-secret.js';

const hasher = new KeyHasher(Buffer.alloc(32, 1));

/** An in-memory key source that counts what the resolver asks of it. */
function source(): ApiKeySource & {
  keys: Map<string, StoredApiKey>;
  changes: string[];
  lookups: number;
  touched: string[];
} {
  const keys = new Map<string, StoredApiKey>();
  const changes: string[] = [];
  const s = {
    keys,
    changes,
    lookups: 0,
    touched: [] as string[],
    findApiKeyByHash(hash: string) {
      s.lookups++;
      return Promise.resolve(keys.get(hash));
    },
    touchApiKeysLastUsed(uses: ReadonlyArray<{ id: string; at: string }>) {
      s.touched.push(...uses.map((u) => u.id));
      return Promise.resolve();
    },
    apiKeyChangesSince(cursor: number) {
      return Promise.resolve({ cursor: changes.length, hashes: changes.slice(cursor) });
    },
    apiKeyHashesAfter(after: string, limit: number) {
      return Promise.resolve(
        [...keys.keys()]
          .filter((h) => h > after)
          .sort()
          .slice(0, limit),
      );
    },
  };
  return s;
}

function record(key: string, extra: Partial<StoredApiKey> = {}): StoredApiKey {
  return {
    id: `id-${key.slice(-6)}`,
    workspace: 'default',
    app_id: 'app-1',
    hash: hasher.hash(key),
    visible_id: visibleIdOf(key),
    env: 'live',
    source: 'generated',
    status: 'active',
    created_at: new Date(0).toISOString(),
    ...extra,
  };
}

describe('key format', () => {
  it('generates kw_<env>_<43 base62>_<6 checksum> keys that pass their own checksum', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const key = generateKey(i % 2 === 0 ? 'live' : 'test');
      assert.match(key, /^kw_(live|test)_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$/);
      assert.equal(checkKey(key), i % 2 === 0 ? 'live' : 'test');
      seen.add(key);
    }
    assert.equal(seen.size, 200);
  });

  it('rejects every single-character typo, truncation and garbage', () => {
    const key = generateKey('live');
    for (let i = 8; i < key.length; i++) {
      if (key[i] === '_') continue;
      const typo = key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
      assert.equal(checkKey(typo), undefined, `typo at ${i}`);
    }
    assert.equal(checkKey(key.slice(0, -1)), undefined);
    assert.equal(checkKey('kw_live_garbage'), undefined);
    assert.equal(checkKey(`kw_prod_${key.slice(8)}`), undefined);
    assert.equal(checksumOf('kw_live_x').length, 6);
  });

  it('shows a short visible id and never the whole secret', () => {
    const key = generateKey('test');
    assert.equal(visibleIdOf(key), `${key.slice(0, 12)}…`);
    assert.equal(visibleIdOf('short-legacy'), '…');
  });
});

describe('ApiKeyResolver', () => {
  it('refuses a mistyped kw_ key without hashing or a store call', async () => {
    const src = source();
    const r = new ApiKeyResolver(src, hasher, { pollMs: 0 });
    const key = generateKey('live');
    src.keys.set(hasher.hash(key), record(key));
    const typo = key.slice(0, 20) + (key[20] === 'x' ? 'y' : 'x') + key.slice(21);
    for (let i = 0; i < 100; i++) assert.equal(await r.resolve(typo), undefined);
    assert.equal(await r.resolve('kw_live_nonsense'), undefined);
    assert.equal(src.lookups, 0);
    assert.equal(r.stats.checksumRejects, 101);
    await r.close();
  });

  it('caches hits, remembers misses for the TTL, and shares concurrent lookups', async () => {
    const src = source();
    let now = 1_000_000;
    const r = new ApiKeyResolver(src, hasher, { pollMs: 0, negativeTtlMs: 500, now: () => now });
    const key = generateKey('live');
    src.keys.set(hasher.hash(key), record(key));
    const results = await Promise.all(Array.from({ length: 10 }, () => r.resolve(key)));
    assert.ok(results.every((x) => x?.id === record(key).id));
    assert.equal(src.lookups, 1);
    for (let i = 0; i < 10; i++) await r.resolve(key);
    assert.equal(src.lookups, 1);

    const unknown = generateKey('live');
    for (let i = 0; i < 10; i++) assert.equal(await r.resolve(unknown), undefined);
    assert.equal(src.lookups, 2);
    now += 600;
    assert.equal(await r.resolve(unknown), undefined);
    assert.equal(src.lookups, 3);
    // Imported keys of another format skip the checksum and go by hash.
    src.keys.set(hasher.hash('legacy-0123456789'), record('legacy-0123456789', { source: 'imported' }));
    assert.equal((await r.resolve('legacy-0123456789'))?.source, 'imported');
    await r.close();
    assert.ok(src.touched.includes(record(key).id), 'last_used_at flushed on close');
  });

  it('bounds the cache (LRU) and sees revocation after evict, expiry and grace on every use', async () => {
    const src = source();
    let now = Date.parse('2030-01-01T00:00:00Z');
    const r = new ApiKeyResolver(src, hasher, { pollMs: 0, cacheSize: 3, now: () => now });
    const keys = Array.from({ length: 5 }, () => generateKey('live'));
    for (const k of keys) src.keys.set(hasher.hash(k), record(k));
    for (const k of keys) await r.resolve(k);
    assert.equal(r.stats.cached, 3);

    const k = keys[4] ?? '';
    const h = hasher.hash(k);
    src.keys.set(h, record(k, { status: 'revoked' }));
    assert.ok(await r.resolve(k), 'still cached until evicted');
    r.evict(h);
    assert.equal(await r.resolve(k), undefined);

    const exp = generateKey('live');
    src.keys.set(hasher.hash(exp), record(exp, { expires_at: new Date(now + 1000).toISOString() }));
    assert.ok(await r.resolve(exp));
    now += 1000;
    assert.equal(await r.resolve(exp), undefined);

    const rotated = generateKey('live');
    src.keys.set(hasher.hash(rotated), record(rotated, { grace_until: new Date(now + 5000).toISOString() }));
    assert.ok(await r.resolve(rotated));
    now += 5000;
    assert.equal(await r.resolve(rotated), undefined);
    await r.close();
  });

  it('answers a connection that presents its last key again without hashing, until an eviction', async () => {
    const src = source();
    let hashes = 0;
    const counting = new (class extends KeyHasher {
      override hash(key: string): string {
        hashes++;
        return super.hash(key);
      }
    })(Buffer.alloc(32, 1));
    const r = new ApiKeyResolver(src, counting, { pollMs: 0 });
    const [a, b] = [generateKey('live'), generateKey('live')];
    src.keys.set(hasher.hash(a), record(a));
    src.keys.set(hasher.hash(b), record(b));
    const socket = {};
    const quick = r.resolveCached(a, socket);
    assert.equal(quick.done, false, 'first sight: the store is asked');
    await r.resolve(a);
    assert.equal(r.resolveCached(a, socket).done, true);
    const before = hashes;
    for (let i = 0; i < 5; i++) assert.equal(unwrap(r.resolveCached(a, socket))?.id, record(a).id);
    assert.equal(hashes, before, 'the memo answered: no HMAC');

    // Another key on the same connection is not the memo's: it goes the whole way (and becomes the memo).
    await r.resolve(b);
    assert.equal(unwrap(r.resolveCached(b, socket))?.id, record(b).id);
    assert.equal(hashes, before + 2);
    // A key that differs from the memo in one character is refused by its checksum, not by the memo.
    const typo = b.slice(0, 10) + (b[10] === 'a' ? 'b' : 'a') + b.slice(11);
    assert.equal(unwrap(r.resolveCached(typo, socket)), undefined);

    // Revocation reaches the connection: the eviction invalidates every memo.
    src.keys.set(hasher.hash(b), record(b, { status: 'revoked' }));
    r.evict(hasher.hash(b));
    assert.equal(r.resolveCached(b, socket).done, false, 'asks the store again');
    assert.equal(await r.resolve(b), undefined);
    assert.equal(unwrap(r.resolveCached(b, socket)), undefined);
    await r.close();
  });

  it('refuses a key its filter does not hold without a store lookup, and looks up every key it does', async () => {
    const src = source();
    const r = new ApiKeyResolver(src, hasher, { pollMs: 0 });
    const known = generateKey('live');
    src.keys.set(hasher.hash(known), record(known));
    await r.start();
    assert.equal(r.stats.filterKeys, 1);
    for (let i = 0; i < 100; i++) assert.equal(await r.resolve(generateKey('live')), undefined);
    assert.equal(src.lookups, 0, 'unknown keys cost no lookup');
    assert.equal(r.stats.filterRejects, 100);
    assert.equal((await r.resolve(known))?.id, record(known).id);
    assert.equal(src.lookups, 1);

    // A key created by this node's admin API (the key service evicts it)…
    const local = generateKey('live');
    src.keys.set(hasher.hash(local), record(local));
    r.evict(hasher.hash(local));
    assert.ok(await r.resolve(local));
    // …and one created on another node, heard of through the store's change feed.
    const remote = generateKey('live');
    src.keys.set(hasher.hash(remote), record(remote));
    assert.equal(await r.resolve(remote), undefined, 'not yet heard of');
    src.changes.push(hasher.hash(remote));
    await r.flush();
    assert.ok(await r.resolve(remote));
    await r.close();
  });

  it('keeps the changes it hears while its filter loads', async () => {
    const src = source();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const listed = src.apiKeyHashesAfter.bind(src);
    src.apiKeyHashesAfter = async (after, limit) => {
      const page = await listed(after, limit);
      await gate;
      return page;
    };
    const r = new ApiKeyResolver(src, hasher, { pollMs: 0 });
    const loading = r.start();
    const late = generateKey('live');
    await new Promise((resolve) => setImmediate(resolve));
    src.keys.set(hasher.hash(late), record(late));
    r.evict(hasher.hash(late)); // a change event while the hashes are being read
    release();
    await loading;
    assert.ok(await r.resolve(late));
    await r.close();
  });

  it('rebuilds its filter from the store after as many changes as it held, shedding deleted keys', async () => {
    const src = source();
    const r = new ApiKeyResolver(src, hasher, { pollMs: 0 });
    const [kept, deleted] = [generateKey('live'), generateKey('live')];
    for (const k of [kept, deleted]) src.keys.set(hasher.hash(k), record(k));
    await r.start();
    src.keys.delete(hasher.hash(deleted)); // its app was deleted: no change event
    assert.equal(await r.resolve(deleted), undefined);
    assert.equal(src.lookups, 1, 'a deleted key still costs a lookup until the rebuild');
    for (let i = 0; i < 100_000; i++) r.evict(i.toString(16).padStart(64, '0'));
    await r.flush(); // starts the rebuild in the background
    await r.start(); // …which this joins
    assert.equal(r.stats.filterKeys, 1);
    const before = src.lookups;
    assert.equal(await r.resolve(deleted), undefined);
    assert.equal(src.lookups, before, 'refused in memory now');
    assert.ok(await r.resolve(kept));
    await r.close();
  });

  it('surfaces a store failure to the caller (503), not as an unknown key', async () => {
    const src = source();
    src.findApiKeyByHash = () => Promise.reject(new Error('down'));
    const r = new ApiKeyResolver(src, hasher, { pollMs: 0 });
    await assert.rejects(r.resolve(generateKey('live')), /down/);
    await r.close();
  });
});

function unwrap(
  quick: { done: true; record: StoredApiKey | undefined } | { done: false; hash: string },
): StoredApiKey | undefined {
  assert.equal(quick.done, true);
  return quick.done ? quick.record : undefined;
}

describe('LruCache', () => {
  it('holds at most max entries and keeps the keys in use over the ones not touched', () => {
    const lru = new LruCache<string, number>(10);
    lru.set('hot', 0);
    for (let i = 0; i < 1000; i++) {
      lru.set(`k${i}`, i);
      assert.equal(lru.get('hot'), 0, `hot key lost at ${i}`);
      assert.ok(lru.size <= 10);
    }
    assert.equal(lru.get('k0'), undefined);
    assert.equal(lru.get('k999'), 999);
    assert.equal(lru.delete('hot'), true);
    assert.equal(lru.get('hot'), undefined);
    lru.clear();
    assert.equal(lru.size, 0);
  });
});
