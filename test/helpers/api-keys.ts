/**
 * An in-memory API-key source for plugin tests: the real resolver and hasher over a Map, counting every
 * store lookup so a test can prove which answers never reached the store.
 */
import type { ApiKeySource } from '../../src/keys/api-key-resolver.js';
import { generateKey, visibleIdOf } from '../../src/keys/key-format.js';
import { KeyHasher } from '../../src/keys/key-secret.js';
import type { StoredApiKey } from '../../src/store/types.js';

export class MemoryKeys implements ApiKeySource {
  readonly hasher = new KeyHasher(Buffer.alloc(32, 9));
  readonly keys = new Map<string, StoredApiKey>();
  lookups = 0;

  findApiKeyByHash(hash: string): Promise<StoredApiKey | undefined> {
    this.lookups++;
    return Promise.resolve(this.keys.get(hash));
  }
  touchApiKeysLastUsed(): Promise<void> {
    return Promise.resolve();
  }
  apiKeyChangesSince(cursor: number): Promise<{ cursor: number; hashes: string[] }> {
    return Promise.resolve({ cursor, hashes: [] });
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
    return { key, rec };
  }
}
