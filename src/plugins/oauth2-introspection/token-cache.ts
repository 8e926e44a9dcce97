/**
 * Introspection results cached per token, one set of caches per node (PluginServices.introspection):
 * plugin instances are rebuilt on every configuration change, the cache must not be; and two nodes in one
 * process (tests) must not share answers.
 *
 * Keys are SHA-256 digests of the token, never the token: a heap dump or a debugging session must not
 * yield live credentials. Positive entries live until the token's `exp` or the configured maximum,
 * whichever is sooner (RFC 7662 §4: a cached answer must not outlive the token, and a revoked token stays
 * usable for at most the maximum). Negative entries (`active: false`) live briefly, so a flood of bad
 * tokens does not become a flood of introspection calls. Both are LRU-bounded.
 */
import { createHash } from 'node:crypto';

declare module '../../pipeline/plugin.js' {
  interface PluginServices {
    /** The node's token introspection caches (server/node-caches.ts). Absent: per plugin instance. */
    readonly introspection?: IntrospectionCaches;
  }
}

interface Slot<V> {
  value: V;
  expiresAt: number;
}

/** A size-bounded LRU with per-entry expiry, on a `Map`'s insertion order. */
export class TtlLru<V> {
  private readonly map = new Map<string, Slot<V>>();

  constructor(public maxEntries: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string, now = Date.now()): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    this.map.delete(key);
    if (slot.expiresAt <= now) return undefined;
    this.map.set(key, slot);
    return slot.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    this.map.delete(key);
    this.map.set(key, { value, expiresAt });
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done === true) break;
      this.map.delete(oldest.value);
    }
  }

  clear(): void {
    this.map.clear();
  }
}

export type Claims = Readonly<Record<string, unknown>>;

export interface IntrospectionCache {
  active: TtlLru<Claims>;
  inactive: TtlLru<true>;
  /** Calls in flight per token digest: concurrent requests with one token share one call. */
  inflight: Map<string, Promise<Claims | undefined>>;
}

export class IntrospectionCaches {
  readonly #caches = new Map<string, IntrospectionCache>();

  /** The cache for one introspection endpoint and client (answers may differ per client). */
  cacheFor(endpoint: string, clientId: string, maxEntries: number, maxNegative: number): IntrospectionCache {
    const key = `${endpoint}\n${clientId}`;
    let c = this.#caches.get(key);
    if (c === undefined) {
      c = { active: new TtlLru(maxEntries), inactive: new TtlLru(maxNegative), inflight: new Map() };
      this.#caches.set(key, c);
    } else {
      // The latest configuration decides the bounds.
      c.active.maxEntries = maxEntries;
      c.inactive.maxEntries = maxNegative;
    }
    return c;
  }

  clear(): void {
    this.#caches.clear();
  }
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
