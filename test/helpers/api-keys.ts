/**
 * An in-memory API-key source for plugin tests: the real resolver and hasher over a Map, counting every
 * store lookup so a test can prove which answers never reached the store. It keeps a change feed and lists
 * its hashes like the store, so a resolver over it can load its key filter (`resolver.start()`); `follow`
 * tells a resolver of each key issued afterwards, as the key service tells its node's resolver.
 */
import type { ApiKeySource } from '../../src/keys/api-key-resolver.js';
import { generateKey, visibleIdOf } from '../../src/keys/key-format.js';
import { KeyHasher } from '../../src/keys/key-secret.js';
import type { StoredApiKey } from '../../src/store/types.js';

export class MemoryKeys implements ApiKeySource {
  readonly hasher = new KeyHasher(Buffer.alloc(32, 9));
  readonly keys = new Map<string, StoredApiKey>();
  /** The change feed: hash per feed id (id = index + 1). */
  readonly changes: string[] = [];
  readonly #followers: Array<{ evict(hash: string): void }> = [];
  lookups = 0;

  findApiKeyByHash(hash: string): Promise<StoredApiKey | undefined> {
    this.lookups++;
    return Promise.resolve(this.keys.get(hash));
  }
  touchApiKeysLastUsed(): Promise<void> {
    return Promise.resolve();
  }
  apiKeyChangesSince(cursor: number): Promise<{ cursor: number; hashes: string[]; ids: number[] }> {
    const hashes = this.changes.slice(cursor, cursor + 1000);
    return Promise.resolve({
      cursor: cursor + hashes.length,
      hashes,
      ids: hashes.map((_, i) => cursor + i + 1),
    });
  }
  apiKeyHashesAfter(after: string, limit: number): Promise<string[]> {
    return Promise.resolve(
      [...this.keys.keys()]
        .filter((h) => h > after)
        .sort()
        .slice(0, limit),
    );
  }

  /** `resolver` hears of every key issued from now on. */
  follow(resolver: { evict(hash: string): void }): void {
    this.#followers.push(resolver);
  }

  /** A new active `kw_live_` key for the app with this id; `extra` overrides any field of its record. */
  issue(appId: string, extra: Partial<StoredApiKey> = {}): { key: string; rec: StoredApiKey } {
    const key = generateKey('live');
    const rec: StoredApiKey = {
      id: `key-${this.keys.size + 1}`,
      workspace: 'default',
      app_id: appId,
      hash: this.hasher.hash(key),
      visible_id: visibleIdOf(key),
      env: 'live',
      source: 'generated',
      status: 'active',
      created_at: new Date().toISOString(),
      ...extra,
    };
    this.keys.set(rec.hash, rec);
    this.changes.push(rec.hash);
    for (const f of this.#followers) f.evict(rec.hash);
    return { key, rec };
  }
}
