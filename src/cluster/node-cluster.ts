/**
 * What a node needs to take part in a cluster, chosen from its settings: which bus carries change events
 * (Redis between nodes, IPC between the workers of `--workers N`, both, or none), and — for a worker
 * without Redis — counters held by the cluster primary. Then the wiring: this node's changes go out,
 * other nodes' changes come in, and a bus that comes back from an outage triggers a resync.
 *
 * The store stays the truth: with no bus at all a node still converges through the config-version poll
 * and the API-key change feed (both every `poll_interval_ms`); events only make it immediate.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApiKeyResolver } from '../keys/api-key-resolver.js';
import type { CounterStore } from '../pipeline/counter-store.js';
import { PrimaryCounterStore } from './primary-store.js';
import type { SnapshotManager } from '../snapshot/manager.js';
import { FanOutBus, keyEvents, type ChangeBus, type ChangeEvent } from './change-events.js';
import { IpcChangeBus, workerChannel } from './ipc.js';

export interface ClusterServices {
  /** Identifies this process on the bus, so it can ignore its own events echoed back. */
  readonly nodeId: string;
  readonly bus: ChangeBus | undefined;
  /** Set for a `--workers` worker without Redis: the node's counters live in the primary. */
  readonly counters: CounterStore | undefined;
  /** Tell the other nodes: the config is now at `version`. */
  configChanged(version: number): void;
  /** Tell the other nodes: these API keys changed; drop them from your caches. */
  keysChanged(hashes: readonly string[]): void;
  /** Connects incoming events to this node's snapshot and key cache. */
  attach(targets: { snapshots: SnapshotManager; apiKeys: ApiKeyResolver }): void;
  close(): Promise<void>;
}

/** What the cluster services need of the node's settings (src/server/settings.ts gives them). */
export interface ClusterSettings {
  redis_url?: string | undefined;
  redis_prefix: string;
}

export async function startClusterServices(settings: ClusterSettings, log: Logger): Promise<ClusterServices> {
  const nodeId = randomUUID();
  const buses: ChangeBus[] = [];
  const channel = workerChannel();
  if (channel !== undefined) buses.push(new IpcChangeBus(channel));
  if (settings.redis_url !== undefined) {
    // Loaded only when Redis is configured (ioredis is ~12 MB of RSS an embedded node does not need).
    const { RedisChangeBus } = await import('./redis-bus.js');
    buses.push(new RedisChangeBus({ url: settings.redis_url, prefix: settings.redis_prefix, log }));
  }
  const bus = buses.length === 0 ? undefined : buses.length === 1 ? buses[0] : new FanOutBus(buses);
  // With Redis the limits share counters there, across nodes; the primary only counts for one machine.
  const counters =
    channel !== undefined && settings.redis_url === undefined ? new PrimaryCounterStore(channel) : undefined;
  const publish = (events: ChangeEvent[]): void => {
    if (bus !== undefined) for (const e of events) bus.publish(e);
  };

  return {
    nodeId,
    bus,
    counters,
    configChanged(version) {
      publish([{ type: 'config', version, origin: nodeId }]);
    },
    keysChanged(hashes) {
      if (hashes.length > 0) publish(keyEvents(hashes, nodeId));
    },
    attach({ snapshots, apiKeys }) {
      if (bus === undefined) return;
      log.info({ bus: bus.name }, 'change events enabled');
      bus.subscribe((event) => {
        if (event.origin === nodeId) return;
        if (event.type === 'keys') {
          // Evicting is enough: the next use of the key reads its current record from the store.
          for (const h of event.hashes) apiKeys.evict(h);
        } else {
          snapshots.notifyVersion(event.version);
        }
      });
      bus.onResync(() => {
        // Events were lost while the bus was away: compare config versions (reload if behind) and
        // replay the key change feed from this node's cursor, which evicts whatever changed meanwhile.
        void snapshots.checkVersion();
        void apiKeys.flush();
      });
    },
    async close() {
      await bus?.close();
      await counters?.close();
    },
  };
}
