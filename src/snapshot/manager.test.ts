/**
 * Reloads after the first run beside the traffic: they must give the event loop turns while they run
 * (counted with setImmediate callbacks, never timed), still coalesce, and be paced under a stream of
 * changes. The clock is injected: each read advances it by a fixed step, so every run is the same.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { ConfigState } from '../model/index.js';
import { emptyWorkspaceState } from '../model/index.js';
import type { LoadAllOptions, Store } from '../store/types.js';
import { AgentCache } from './agents.js';
import { SnapshotManager } from './manager.js';
import { Slicer } from './slices.js';

const meta = { created_at: '', updated_at: '' };

/** A store holding `n` services with a route each; every load sees a new version. */
function fakeStore(n: number) {
  let version = 0;
  const calls: Array<{ paged: boolean }> = [];
  const store = {
    configVersion: () => Promise.resolve(version),
    async loadAll(opts: LoadAllOptions = {}): Promise<ConfigState> {
      calls.push({ paged: opts.pause !== undefined });
      await opts.pause?.();
      const ws = emptyWorkspaceState('default');
      for (let i = 0; i < n; i++) {
        ws.services.push({ id: `s${i}`, name: `s${i}`, url: 'http://127.0.0.1:9', ...meta });
        ws.routes.push({ id: `r${i}`, name: `r${i}`, service: `s${i}`, paths: [`/r${i}`], ...meta });
      }
      return { version: ++version, workspaces: [ws] };
    },
  };
  return { store: store as unknown as Store, calls };
}

function setup(n: number) {
  const clock = { t: 0 };
  const now = (): number => (clock.t += 0.25);
  const waits: number[] = [];
  const agents = new AgentCache();
  const { store, calls } = fakeStore(n);
  const manager = new SnapshotManager(store, agents, pino({ level: 'silent' }), 60_000, {}, undefined, {
    slicer: new Slicer({ now }),
    now,
    sleep: async (ms) => {
      waits.push(ms);
      clock.t += ms;
    },
  });
  return { manager, agents, calls, waits, clock };
}

/** Counts event-loop turns while `work` runs. */
async function turnsDuring(work: () => Promise<void>): Promise<number> {
  let turns = 0;
  let watching = true;
  const tick = (): void => {
    if (!watching) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  watching = false;
  return turns;
}

describe('snapshot reloads', () => {
  it('the first load is one piece; later loads are read in pages and give the event loop turns', async () => {
    const { manager, agents, calls } = setup(300);
    try {
      assert.equal(await turnsDuring(() => manager.start()), 0, 'nothing is served during the first load');
      assert.equal(manager.current?.routes.length, 300);
      const turns = await turnsDuring(() => manager.refresh());
      assert.equal(manager.current?.version, 2);
      assert.ok(turns >= 10, `only ${turns} turns of the event loop during a reload of 300 routes`);
      assert.deepEqual(calls, [{ paged: false }, { paged: true }]);
    } finally {
      await manager.stop();
      await agents.close();
    }
  });

  it('concurrent refreshes coalesce into at most one more load', async () => {
    const { manager, agents, calls, clock } = setup(20);
    try {
      await manager.start();
      clock.t += 1e6;
      await Promise.all([manager.refresh(), manager.refresh(), manager.refresh()]);
      assert.equal(calls.length, 3, 'the first load, the one under way, one more');
    } finally {
      await manager.stop();
      await agents.close();
    }
  });

  it('a reload right after another waits as long as the previous one kept the loop busy', async () => {
    const { manager, agents, waits, clock } = setup(50);
    try {
      await manager.start();
      clock.t += 1e6;
      await manager.refresh();
      assert.deepEqual(waits, [], 'no wait after a quiet period');
      await manager.refresh();
      assert.equal(waits.length, 1);
      assert.ok((waits[0] ?? 0) > 0);
      clock.t += 1e6;
      await manager.refresh();
      assert.equal(waits.length, 1, 'no wait once the pause has passed');
      assert.equal(manager.current?.version, 4);
    } finally {
      await manager.stop();
      await agents.close();
    }
  });
});

describe('read your writes (served)', () => {
  it('resolves once a sliced reload serves the version, not before', async () => {
    const { manager, agents } = setup(300);
    try {
      await manager.start();
      assert.equal(manager.current?.version, 1);
      // The version a write committed: the reload it causes takes many turns of the loop.
      await manager.served(2, 60_000);
      assert.ok((manager.current?.version ?? 0) >= 2, 'answered before the change was served');
      await manager.served(1, 60_000); // already served: at once
    } finally {
      await manager.stop();
      await agents.close();
    }
  });

  it('answers the waiters when the reload fails (the previous snapshot keeps serving)', async () => {
    const { manager, agents } = setup(5);
    const store = (manager as unknown as { store: { loadAll: () => Promise<ConfigState> } }).store;
    try {
      await manager.start();
      store.loadAll = () => Promise.reject(new Error('store down'));
      await manager.served(2, 60_000);
      assert.equal(manager.current?.version, 1);
    } finally {
      await manager.stop();
      await agents.close();
    }
  });

  it('answers after its bound when the reload does not end', async () => {
    const { manager, agents } = setup(5);
    const store = (manager as unknown as { store: { loadAll: () => Promise<ConfigState> } }).store;
    let unblock: () => void = () => undefined;
    try {
      await manager.start();
      const original = store.loadAll.bind(store);
      store.loadAll = () => new Promise<void>((resolve) => (unblock = resolve)).then(() => original());
      await manager.served(2, 20);
      assert.equal(manager.current?.version, 1, 'the bound answered, not the reload');
    } finally {
      unblock();
      await manager.stop();
      await agents.close();
    }
  });
});
