/**
 * Keeps the data plane's current snapshot fresh. A change made through this node's admin API triggers
 * `refresh()` at once; a change made on another node arrives as a change event (`notifyVersion`, from
 * src/cluster/) and, as the fallback when events are lost or there is no bus, is found by polling the
 * store's config version (cheap: one single-row read a second). If the store is unreachable the last
 * good snapshot keeps serving and `storeError` says why, for `/ready`.
 *
 * Reloads run beside the traffic on the same event loop, so none may be one long task: after the first
 * load (at start-up, when nothing is served yet, in one piece) the store is read in pages and the snapshot
 * compiled in slices of about 1 ms (src/snapshot/slices.ts); a reload that fits in one slice (a small
 * configuration) still runs in one go, before the admin API answers the change. Sliced reloads are paced:
 * under a stream of changes, after a reload that kept the loop busy for T, the next one starts no sooner
 * than T later, so reloads take at most about half of the loop. A change is then served within about 3T
 * of its commit (the reload under way, the pause, its own reload) plus the store reads, T being what one
 * reload of the configuration costs in CPU.
 *
 * Most reloads are patches: the store's change feed (src/store/changes.ts) says which resources changed
 * since the served version, and a change to services and routes is patched into the snapshot
 * (src/snapshot/patch.ts), at the cost of what changed. Anything the patch cannot tell — another kind, a
 * workspace, a gap in the feed, a very large write — and a patch that fails, reload everything as above.
 *
 * Read your writes: an admin write answers once this node serves the version it committed (`served`), so
 * a client that creates a route and calls it at once is not told 404 — a reload sliced over many turns
 * (a large configuration, or a loaded machine) would otherwise still be under way when the 201 goes out.
 */
import type { Logger } from 'pino';
import type { PluginServices } from '../pipeline/plugin.js';
import type { ConfigDelta, Store } from '../store/types.js';
import type { AgentCache } from './agents.js';
import type { UpstreamStates } from './upstream-states.js';
import { compileSnapshot, compileSnapshotInSlices, type CompileDeps, type Snapshot } from './compile.js';
import { patching } from './patch.js';
import { Slicer, type SliceStats } from './slices.js';
import type { SecretBox } from '../keys/secret-box.js';

/** Requests still running on a retired snapshot finish on it; its plugins are released after this. */
const RETIRE_AFTER_MS = 30_000;

export interface ReloadOptions {
  /** Cuts later loads into slices (default: 1 ms slices, the event loop's turn between them). */
  slicer?: Slicer;
  /** Waits `ms` before a paced reload (tests inject it to count the waits). */
  sleep?: (ms: number) => Promise<void>;
  /** The clock for pacing, in milliseconds. */
  now?: () => number;
  /** The node's target and service states: kept across snapshots, swept of what each one no longer uses. */
  states?: UpstreamStates;
}

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A caller waiting for a config version to be served. */
interface Waiter {
  version: number;
  done: () => void;
}

export class SnapshotManager {
  private snapshot: Snapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private again = false;
  private readonly retiring = new Set<NodeJS.Timeout>();
  private readonly slicer: Slicer;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** When the next reload may start (pacing; see the top of this file). */
  private nextLoadAt = 0;
  private waiters: Waiter[] = [];
  storeError: string | undefined;

  constructor(
    private readonly store: Store,
    private readonly agents: AgentCache,
    private readonly log: Logger,
    private readonly pollMs: number,
    private readonly services: PluginServices = {},
    private readonly secrets?: SecretBox,
    opts: ReloadOptions = {},
  ) {
    this.slicer = opts.slicer ?? new Slicer();
    this.sleep = opts.sleep ?? sleepMs;
    this.now = opts.now ?? (() => performance.now());
    this.states = opts.states;
  }

  private readonly states: UpstreamStates | undefined;

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
          const wait = this.nextLoadAt - this.now();
          if (wait > 0) await this.sleep(wait);
          await this.load();
        } while (this.again);
      } catch (err) {
        this.log.error({ err: errInfo(err) }, 'config reload failed; still serving the previous snapshot');
      } finally {
        this.refreshing = undefined;
        // Whoever still waits asked for a version this reload did not reach (it failed): answer them.
        this.release(true);
      }
    })();
    return this.refreshing;
  }

  /**
   * Resolves once the served snapshot is at `version` or newer — or when reloading stops short of it (the
   * store failed: the previous snapshot keeps serving and the poll retries), or after `timeoutMs`. It never
   * rejects: the change is committed either way, and the caller only waits so as not to answer early.
   */
  served(version: number, timeoutMs: number): Promise<void> {
    if ((this.snapshot?.version ?? -1) >= version) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => waiter.done(), timeoutMs);
      const waiter: Waiter = {
        version,
        done: () => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve();
        },
      };
      this.waiters.push(waiter);
      // A load that began before the commit would not see it: ask for one more (refresh coalesces).
      void this.refresh();
    });
  }

  /** Releases the waiters the served snapshot satisfies, or all of them when reloading has stopped. */
  private release(all: boolean): void {
    const at = this.snapshot?.version ?? -1;
    for (const w of [...this.waiters]) if (all || w.version <= at) w.done();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.release(true);
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

  /**
   * `current` patched with `delta`, or undefined for a full reload: when the patch cannot tell, and when it
   * failed — a full reload must stay able to move the node on whatever went wrong in a patch.
   */
  private async patched(
    current: Snapshot,
    delta: ConfigDelta,
    deps: CompileDeps,
  ): Promise<Snapshot | undefined> {
    try {
      return await this.slicer.run(patching(current, delta, deps));
    } catch (err) {
      this.log.warn({ err: errInfo(err) }, 'config patch failed; reloading the whole configuration');
      return undefined;
    }
  }

  /** The first load in one piece (nothing is served yet); later ones sliced, then paced. */
  private async load(): Promise<void> {
    const first = this.snapshot === undefined;
    const deps: CompileDeps = {
      agents: this.agents,
      ...(this.states === undefined ? {} : { states: this.states }),
      services: this.services,
      ...(this.secrets === undefined ? {} : { secrets: this.secrets }),
    };
    let next: Snapshot | undefined;
    let cost: SliceStats | undefined;
    this.slicer.takeStats();
    try {
      const current = this.snapshot;
      if (current !== undefined && this.store.changesSince !== undefined) {
        // What changed since the served version, when the store's change feed can tell: patched in.
        const delta = await this.store.changesSince(current.version);
        if (delta !== undefined && delta.version === current.version) return;
        if (delta !== undefined) next = await this.patched(current, delta, deps);
      }
      if (next === undefined) {
        const state = first
          ? await this.store.loadAll()
          : await this.store.loadAll({ pause: this.slicer.pause });
        if (this.snapshot !== undefined && state.version === this.snapshot.version) return;
        next = first
          ? compileSnapshot(state, deps)
          : await compileSnapshotInSlices(state, deps, this.slicer, this.snapshot);
      }
    } finally {
      if (!first) {
        cost = this.slicer.takeStats();
        // A reload that fit in one slice is no threat to the loop: the next one need not wait.
        this.nextLoadAt = cost.slices > 1 ? this.now() + cost.busyMs : 0;
      }
    }
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
    this.states?.sweep(next.services.values());
    this.release(false);
    this.log.info(
      {
        config_version: next.version,
        routes: next.routes.length,
        ...(cost === undefined
          ? {}
          : {
              reload_busy_ms: Math.round(cost.busyMs),
              reload_slices: cost.slices,
              longest_slice_ms: Math.round(cost.longestMs * 10) / 10,
              router_kept: prev !== undefined && next.router.sharesIndexWith(prev.router),
              patched: prev !== undefined && next.basis.handlers === prev.basis.handlers,
            }),
      },
      'serving config',
    );
    // A patched snapshot took over its predecessor's plugin instances: they close when it retires.
    if (prev !== undefined && prev.basis.handlers !== next.basis.handlers) {
      // Only `close` is kept: requests still on the old snapshot hold what they use themselves.
      const close = prev.close;
      const t = setTimeout(() => {
        this.retiring.delete(t);
        void close();
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
