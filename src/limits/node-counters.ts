/**
 * Which counters a node counts in, chosen once at start:
 * - a `--workers` worker without Redis: the cluster primary's store (given by src/cluster/);
 * - `KEYWAY_REDIS_URL` set: Redis, shared by every node, with this node's local store as the `fail_open`
 *   fallback while Redis is away;
 * - otherwise: the local store (embedded, one process: exact and synchronous).
 */
import type { Logger } from 'pino';
import type { CounterStore } from '../pipeline/counter-store.js';
import { LocalCounterStore } from './local-store.js';
import type { RedisCounterStore } from './redis-store.js';

export interface NodeCounters {
  services: { counters: CounterStore; localCounters: LocalCounterStore };
  close(): Promise<void>;
}

export async function createNodeCounters(opts: {
  redisUrl: string | undefined;
  redisPrefix: string | undefined;
  /** Set by the cluster layer for a worker counting at the primary. */
  shared: CounterStore | undefined;
  log: Logger;
  /** The node's clock, when a test pins it. */
  now?: () => number;
}): Promise<NodeCounters> {
  const local = new LocalCounterStore(opts.now === undefined ? {} : { now: opts.now });
  let counters: CounterStore = local;
  let redis: RedisCounterStore | undefined;
  if (opts.shared !== undefined) counters = opts.shared;
  else if (opts.redisUrl !== undefined) {
    // Loaded only when Redis is configured: ioredis alone is ~12 MB of RSS an embedded node does not need.
    const { RedisCounterStore } = await import('./redis-store.js');
    redis = new RedisCounterStore({
      url: opts.redisUrl,
      prefix: `${opts.redisPrefix ?? 'kw:'}c:`,
      onStateChange: (state, reason) => {
        if (state === 'up') opts.log.info('limits: Redis counters connected');
        else opts.log.warn({ reason }, 'limits: Redis counters unreachable; limits follow their fail policy');
      },
    });
    counters = redis;
  }
  return {
    services: { counters, localCounters: local },
    async close() {
      await redis?.close();
      await local.close();
    },
  };
}
