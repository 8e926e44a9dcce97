/**
 * The runtime state of provider key pools: which key is cooling down after the provider refused it
 * (401/403/429), until when, and where each pool's rotation stands. It is node-wide and outlives snapshot
 * recompiles — a config change elsewhere must not put a rate-limited key straight back into service —
 * so it is keyed by workspace, provider and key id, never by compiled objects. Only ids are kept here,
 * never the secrets.
 */
import type { CompiledProvider } from '../types.js';

declare module '../../pipeline/plugin.js' {
  interface PluginServices {
    /** The node's AI provider key cooldowns and rotation (server/node-caches.ts). Absent: per engine. */
    readonly aiKeys?: KeyState;
  }
}

/** One key of a pool as an attempt uses it; providers that need no key have one pseudo-key (`secret` undefined). */
export interface PoolKey {
  id: string;
  secret: string | undefined;
}

/** Key id standing for "the provider itself" when it has no keys (a local Ollama, an open endpoint). */
export const NO_KEY_ID = '';

export class KeyState {
  /** Epoch-ms clock; replaceable in tests. */
  clock: () => number;
  private readonly coolUntil = new Map<string, number>();
  private readonly cursor = new Map<string, number>();

  constructor(clock: () => number = Date.now) {
    this.clock = clock;
  }

  /** Takes a key out of its pool for `ms` (keeps the later end if it is already cooling). */
  coolDown(workspace: string, provider: string, keyId: string, ms: number): void {
    if (ms <= 0) return;
    const id = keyOf(workspace, provider, keyId);
    const until = this.clock() + ms;
    const current = this.coolUntil.get(id) ?? 0;
    if (until > current) this.coolUntil.set(id, until);
  }

  /** Milliseconds the key still cools (0: usable). */
  remaining(workspace: string, provider: string, keyId: string): number {
    // The common case on the hot path: nothing cools anywhere.
    if (this.coolUntil.size === 0) return 0;
    const id = keyOf(workspace, provider, keyId);
    const until = this.coolUntil.get(id);
    if (until === undefined) return 0;
    const left = until - this.clock();
    if (left > 0) return left;
    this.coolUntil.delete(id);
    return 0;
  }

  /**
   * The next usable key of the provider's pool, rotating so load spreads over the pool: keys not yet
   * `tried` in this call first, then tried ones; undefined when every key is cooling.
   */
  pick(workspace: string, provider: CompiledProvider, tried: ReadonlySet<string>): PoolKey | undefined {
    const keys = provider.keys;
    if (keys.length === 0)
      return this.remaining(workspace, provider.name, NO_KEY_ID) > 0
        ? undefined
        : { id: NO_KEY_ID, secret: undefined };
    const pool = `${workspace}\u0000${provider.name}`;
    const start = this.cursor.get(pool) ?? 0;
    let fallback: { id: string; secret: string } | undefined;
    let fallbackAt = -1;
    for (let i = 0; i < keys.length; i++) {
      const at = (start + i) % keys.length;
      const key = keys[at];
      if (this.remaining(workspace, provider.name, key.id) > 0) continue;
      if (!tried.has(key.id)) {
        this.cursor.set(pool, at + 1);
        return { id: key.id, secret: key.secret };
      }
      if (fallback === undefined) {
        fallback = key;
        fallbackAt = at;
      }
    }
    if (fallback === undefined) return undefined;
    this.cursor.set(pool, fallbackAt + 1);
    return { id: fallback.id, secret: fallback.secret };
  }

  /** Whether any key of the provider's pool is usable now (the per-attempt check: no allocation). */
  usable(workspace: string, provider: CompiledProvider): boolean {
    const keys = provider.keys;
    if (keys.length === 0) return this.remaining(workspace, provider.name, NO_KEY_ID) === 0;
    for (const key of keys) if (this.remaining(workspace, provider.name, key.id) === 0) return true;
    return false;
  }

  /** Shortest remaining cooldown over the provider's pool (how long until it can serve again). */
  soonest(workspace: string, provider: CompiledProvider): number {
    const ids = provider.keys.length === 0 ? [NO_KEY_ID] : provider.keys.map((k) => k.id);
    return Math.min(...ids.map((id) => this.remaining(workspace, provider.name, id)));
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.coolUntil.clear();
    this.cursor.clear();
  }
}

function keyOf(workspace: string, provider: string, keyId: string): string {
  return `${workspace}\u0000${provider}\u0000${keyId}`;
}
