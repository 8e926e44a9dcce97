/**
 * Change events: the targeted messages that keep every node's in-memory state in step with the store
 * without waiting for the next version poll. They are hints, never the source of truth: a node that
 * misses one (Redis down, a worker restarting) still converges through the store-version poll and the
 * API-key change feed, so every handler must be idempotent and cheap.
 *
 * What travels: config versions and API-key hashes (HMAC-SHA-256 under the server secret, the same values
 * the store's change feed holds). Never a key, token or secret.
 */

export type ChangeEvent =
  /** The store's config version moved to `version` (any resource, a consumer blocked, a plan changed). */
  | { type: 'config'; version: number; origin: string }
  /** These API keys changed state (revoked, rotated, created, imported): drop them from every cache. */
  | { type: 'keys'; hashes: string[]; origin: string };

/** One transport for change events: Redis pub/sub between nodes, IPC between workers of one node. */
export interface ChangeBus {
  readonly name: string;
  /** Fire and forget: a failed publish is logged by the bus; the poll fallback covers the gap. */
  publish(event: ChangeEvent): void;
  /** Events from other publishers; returns the unsubscribe function. */
  subscribe(handler: (event: ChangeEvent) => void): () => void;
  /** Called after the transport came back from an outage: the node resyncs (events were lost). */
  onResync(handler: () => void): void;
  close(): Promise<void>;
}

const HASH = /^[0-9a-f]{64}$/;
/** A bulk import can change many keys at once; messages stay bounded and are split instead. */
export const MAX_HASHES_PER_EVENT = 1000;

/** Parses an event from the wire; anything malformed is dropped (undefined), never thrown. */
export function decodeEvent(raw: unknown): ChangeEvent | undefined {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['origin'] !== 'string') return undefined;
  if (v['type'] === 'config' && Number.isSafeInteger(v['version'])) {
    return { type: 'config', version: v['version'] as number, origin: v['origin'] };
  }
  if (v['type'] === 'keys' && Array.isArray(v['hashes'])) {
    const hashes = (v['hashes'] as unknown[]).filter(
      (h): h is string => typeof h === 'string' && HASH.test(h),
    );
    if (hashes.length === 0 || hashes.length > MAX_HASHES_PER_EVENT) return undefined;
    return { type: 'keys', hashes, origin: v['origin'] };
  }
  return undefined;
}

/** Splits a key change into events of at most MAX_HASHES_PER_EVENT hashes. */
export function keyEvents(hashes: readonly string[], origin: string): ChangeEvent[] {
  const out: ChangeEvent[] = [];
  for (let i = 0; i < hashes.length; i += MAX_HASHES_PER_EVENT) {
    out.push({ type: 'keys', hashes: hashes.slice(i, i + MAX_HASHES_PER_EVENT), origin });
  }
  return out;
}

/** Publishes to several buses and hears all of them (a worker of a node in a Redis cluster uses both). */
export class FanOutBus implements ChangeBus {
  readonly name: string;
  constructor(private readonly buses: ChangeBus[]) {
    this.name = buses.map((b) => b.name).join('+') || 'none';
  }
  publish(event: ChangeEvent): void {
    for (const b of this.buses) b.publish(event);
  }
  subscribe(handler: (event: ChangeEvent) => void): () => void {
    const offs = this.buses.map((b) => b.subscribe(handler));
    return () => offs.forEach((off) => off());
  }
  onResync(handler: () => void): void {
    for (const b of this.buses) b.onResync(handler);
  }
  async close(): Promise<void> {
    await Promise.all(this.buses.map((b) => b.close()));
  }
}
