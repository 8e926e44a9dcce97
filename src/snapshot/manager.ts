/**
 * Keeps the data plane's current snapshot fresh. A change made through this node's admin API triggers
 * `refresh()` at once; a change made on another node arrives as a change event (`notifyVersion`, from
 * src/cluster/) and, as the fallback when events are lost or there is no bus, is found by polling the
 * store's config version (cheap: one single-row read a second). If the store is unreachable the last
 * good snapshot keeps serving and `storeError` says why, for `/ready`.
 */
import type { Logger } from 'pino';
import type { PluginServices } from '../plugins/types.js';
import type { Store } from '../store/types.js';
import type { AgentCache } from './agents.js';
import { compileSnapshot, type Snapshot } from './compile.js';
import type { SecretBox } from '../keys/secret-box.js';

/** Requests still running on a retired snapshot finish on it; its plugins are released after this. */
const RETIRE_AFTER_MS = 30_000;

export class SnapshotManager {
  private snapshot: Snapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private again = false;
  private readonly retiring = new Set<NodeJS.Timeout>();
  storeError: string | undefined;

  constructor(
    private readonly store: Store,
    private readonly agents: AgentCache,
    private readonly log: Logger,
    private readonly pollMs: number,
    private readonly services: PluginServices = {},
    private readonly secrets?: SecretBox,
  ) {}

  get current(): Snapshot | undefined {
    return this.snapshot;
  }

  /** Loads the first snapshot (throws if it cannot) and starts polling. */
  async start(): Promise<void> {
    await this.load();
    this.timer = setInterval(() => void this.checkVersion(), this.pollMs);
    this.timer.unref();
  }

  /** Reload now; concurrent calls coalesce into at most one more load. */
  refresh(): Promise<void> {
    if (this.refreshing !== undefined) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.again = false;
          await this.load();
        } while (this.again);
      } catch (err) {
        this.log.error({ err: errInfo(err) }, 'config reload failed; still serving the previous snapshot');
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.refreshing;
    for (const t of this.retiring) clearTimeout(t);
    this.retiring.clear();
    await this.snapshot?.close();
  }

  /**
   * Another node says the config is at `version`. Reload unless this snapshot already is at it or newer
   * (events can overtake each other: an older one must not trigger a pointless load).
   */
  notifyVersion(version: number): void {
    const current = this.snapshot?.version;
    if (current !== undefined && current >= version) return;
    void this.refresh();
  }

  /** Compares the store's config version with the snapshot's and reloads when they differ. Never throws. */
  async checkVersion(): Promise<void> {
    try {
      const version = await this.store.configVersion();
      if (this.storeError !== undefined) this.log.info('store reachable again');
      this.storeError = undefined;
      if (version !== this.snapshot?.version) await this.refresh();
    } catch (err) {
      if (this.storeError === undefined)
        this.log.warn({ err: errInfo(err) }, 'store unreachable; serving the last snapshot');
      this.storeError = err instanceof Error ? err.message : 'store unreachable';
    }
  }

  private async load(): Promise<void> {
    const state = await this.store.loadAll();
    if (this.snapshot !== undefined && state.version === this.snapshot.version) return;
    const next = compileSnapshot(state, {
      agents: this.agents,
      services: this.services,
      ...(this.secrets === undefined ? {} : { secrets: this.secrets }),
    });
    // What plugins load before serving (the AI routes' tokenizer) loads now, while the previous snapshot
    // serves and before this one reports ready: never on a request.
    try {
      await next.prepare();
    } catch (err) {
      await next.close();
      throw err;
    }
    const prev = this.snapshot;
    this.snapshot = next;
    this.log.info({ config_version: next.version, routes: next.routes.length }, 'serving config');
    if (prev !== undefined) {
      const t = setTimeout(() => {
        this.retiring.delete(t);
        void prev.close();
      }, RETIRE_AFTER_MS);
      t.unref();
      this.retiring.add(t);
    }
  }
}

function errInfo(err: unknown): { message: string; code?: string } {
  if (err instanceof Error) return { message: err.message, code: (err as { code?: string }).code };
  return { message: String(err) };
}
