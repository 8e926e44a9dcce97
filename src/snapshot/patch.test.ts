/**
 * A snapshot patched from the store's change feed must be the snapshot a full compile of the same version
 * gives: compared over a randomized sequence of service and route writes (with plugin writes between them,
 * which fall back to a full reload), on SQLite and PostgreSQL, route by route, service by service, plugin
 * instance by plugin instance, and by what the router answers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import type { ResourceKind, ResourceTypes, Stored } from '../model/index.js';
import type { CompiledService, RoutePhases } from '../pipeline/context.js';
import { PHASES } from '../pipeline/plugin.js';
import { openStore, type OpenStoreOptions } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { AgentCache } from './agents.js';
import { compileSnapshot, type Snapshot } from './compile.js';
import { SnapshotManager } from './manager.js';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const WS = 'default';

/** A small deterministic PRNG (mulberry32): the same sequence of writes on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each plugin handler function, named by the instance it belongs to. */
function instanceNames(s: Snapshot): Map<unknown, string> {
  const names = new Map<unknown, string>();
  for (const ws of s.basis.workspaces.values())
    for (const [key, h] of ws.instances)
      for (const phase of PHASES) if (h[phase] !== undefined) names.set(h[phase], key);
  return names;
}

function phasesOf(p: RoutePhases, names: Map<unknown, string>): Record<string, string[]> {
  return Object.fromEntries(PHASES.map((phase) => [phase, p[phase].map((fn) => names.get(fn) ?? '?')]));
}

function serviceOf(s: CompiledService): unknown {
  const { balancer: _b, dispatcher: _d, state: _s, ...rest } = s;
  return rest;
}

/** Everything a snapshot serves, in a comparable form. */
function describeSnapshot(s: Snapshot, probes: Array<[string, string]>): unknown {
  const names = instanceNames(s);
  return {
    version: s.version,
    state: s.basis.state,
    routes: [...s.routes]
      .map((r) => ({
        workspace: r.workspace,
        id: r.id,
        name: r.name,
        def: r.def,
        service: serviceOf(r.service),
        phases: phasesOf(r.phases, names),
        consumers: [...(r.consumerPhases ?? new Map<string, RoutePhases>())].map(([c, p]) => [
          c,
          phasesOf(p, names),
        ]),
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    services: [...s.services].map(([k, v]) => [k, serviceOf(v)]).sort(),
    routeIds: [...s.basis.routeById.keys()].sort(),
    matches: probes.map(([method, path]) => s.router.match(method, 'api.example', path, {})?.route.id),
  };
}

interface Target {
  name: string;
  setup(): Promise<OpenStoreOptions>;
  teardown(): Promise<void>;
}

const targets: Target[] = [
  (() => {
    let dir = '';
    return {
      name: 'sqlite',
      setup: () => {
        dir = mkdtempSync(join(tmpdir(), 'keyway-patch-'));
        return Promise.resolve({ dataDir: dir });
      },
      teardown: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  })(),
  (() => {
    const schema = `kw_patch_test_${process.pid}_${Date.now()}`;
    return {
      name: 'postgres',
      setup: () => Promise.resolve({ databaseUrl: PG_URL, dataDir: tmpdir(), schema }),
      teardown: async () => {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      },
    };
  })(),
];

for (const target of targets) {
  describe(`snapshots patched from the change feed (${target.name})`, () => {
    let store: Store;
    before(async () => {
      store = await openStore(await target.setup());
    });
    after(async () => {
      await store.close();
      await target.teardown();
    });

    it('give the snapshot a full compile gives, over a randomized sequence of writes', async () => {
      const create = <K extends ResourceKind>(kind: K, r: ResourceTypes[K]): Promise<Stored<K>> =>
        store.transaction((tx) => tx.create(kind, WS, r));
      await create('services', { name: 'base', url: 'http://127.0.0.1:9/base' });
      await create('routes', { name: 'r0', service: 'base', paths: ['/r0'] });
      await create('consumers', { username: 'alice' });
      const onBase = await create('plugins', {
        name: 'response-headers',
        service: 'base',
        config: { set: { 'x-base': '1' } },
      });
      await create('plugins', { name: 'response-headers', consumer: 'alice', route: 'r0', config: {} });
      await create('plugins', { name: 'rate-limit', config: {} });

      const agents = new AgentCache();
      const log = pino({ level: 'silent' });
      const manager = new SnapshotManager(store, agents, log, 60_000);
      await manager.start();
      const random = prng(20261207);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
      let n = 0;
      const probes: Array<[string, string]> = [['GET', '/r0']];
      let patched = 0;
      let reloads = 0;
      let retiredBefore = 0;
      try {
        for (let step = 0; step < 80; step++) {
          const writes = random() < 0.25 ? 3 : 1;
          for (let w = 0; w < writes; w++) {
            const state = (await store.loadAll()).workspaces[0];
            assert.ok(state !== undefined);
            const services = state.services.filter((s) => s.name !== 'base');
            const routes = state.routes.filter((r) => r.name !== 'r0');
            const roll = random();
            const path = `/p${++n}`;
            probes.push(['GET', path], ['POST', `${path}/x`], ['DELETE', path]);
            if (step % 10 === 9 && w === 0) {
              await store.transaction((tx) =>
                tx.update('plugins', WS, onBase.id, {
                  name: 'response-headers',
                  service: 'base',
                  config: { set: { 'x-base': String(step) } },
                }),
              );
            } else if (roll < 0.2 || services.length === 0) {
              await create('services', { name: `s${n}`, url: `http://10.0.0.${n % 250}:80${n % 10}/v${n}` });
            } else if (roll < 0.35) {
              const svc = pick(services);
              const { id: _i, created_at: _c, updated_at: _u, ...fields } = svc;
              await store.transaction((tx) =>
                tx.update('services', WS, svc.id, {
                  ...fields,
                  url: `https://up-${n}.internal/base${n}`,
                  enabled: random() < 0.8,
                  read_timeout_ms: 1000 + n,
                  // The subscription step comes and goes with the service (src/snapshot/subscription-gate.ts).
                  subscription_required: random() < 0.3,
                }),
              );
            } else if (roll < 0.45) {
              const svc = pick(services);
              if (!state.routes.some((r) => r.service === svc.name))
                await store.transaction((tx) => tx.delete('services', WS, svc.id));
            } else if (roll < 0.7 || routes.length === 0) {
              const svc = pick([...services, ...state.services]);
              await create('routes', {
                name: `r${n}`,
                service: svc.name,
                paths: random() < 0.3 ? [`${path}/:id`, path] : [path],
                ...(random() < 0.3 ? { methods: ['GET'] } : {}),
                ...(random() < 0.2 ? { hosts: ['api.example'] } : {}),
              });
            } else if (roll < 0.88) {
              const r = pick(routes);
              const { id: _i, created_at: _c, updated_at: _u, ...fields } = r;
              const next: Stored<'routes'> = { ...r };
              if (random() < 0.5) next.paths = [path];
              if (random() < 0.3) next.name = `r${n}`;
              if (random() < 0.3) next.service = pick(state.services).name;
              if (random() < 0.3) next.strip_path = random() < 0.5;
              const { id: _j, created_at: _d, updated_at: _v, ...changed } = next;
              await store.transaction((tx) => tx.update('routes', WS, r.id, { ...fields, ...changed }));
            } else {
              const r = pick(routes);
              await store.transaction((tx) => tx.delete('routes', WS, r.id));
            }
          }
          const before = manager.current;
          await manager.refresh();
          const now = manager.current;
          assert.ok(before !== undefined && now !== undefined);
          reloads++;
          // A patched snapshot took over the plugin instances: its predecessor's retirement must not close them.
          const retiring = (manager as unknown as { retiring: Set<unknown> }).retiring.size;
          if (now.basis.handlers === before.basis.handlers) {
            patched++;
            assert.equal(retiring, retiredBefore, 'a patched reload scheduled closing the shared plugins');
          } else assert.equal(retiring, retiredBefore + 1);
          retiredBefore = retiring;
          const full = compileSnapshot(await store.loadAll(), { agents });
          assert.equal(now.version, await store.configVersion());
          assert.deepEqual(describeSnapshot(now, probes), describeSnapshot(full, probes), `step ${step}`);
          await full.close();
        }
      } finally {
        await manager.stop();
        await agents.close();
      }
      // Plugin writes (every tenth step) reload in full; service and route writes are patched.
      assert.ok(patched >= reloads * 0.8, `${patched} of ${reloads} reloads patched`);
    });

    it('reloads everything when a patch fails', async () => {
      const agents = new AgentCache();
      // A delta whose resource cannot be read: the patch throws, the manager must still move on.
      const broken = new Proxy(store, {
        get(target, prop) {
          if (prop !== 'changesSince') {
            // The store's private fields want the store itself as `this`.
            const value = Reflect.get(target, prop) as unknown;
            return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
          }
          return async (since: number) => {
            const delta = await target.changesSince?.(since);
            return (
              delta && {
                ...delta,
                changes: delta.changes.map((c) => ({
                  ...c,
                  resource: Object.defineProperty({ ...c.resource }, 'name', {
                    get: () => {
                      throw new Error('unreadable');
                    },
                  }),
                })),
              }
            );
          };
        },
      });
      const manager = new SnapshotManager(broken, agents, pino({ level: 'silent' }), 60_000);
      await manager.start();
      try {
        const before = manager.current;
        await store.transaction((tx) =>
          tx.create('services', WS, { name: 'after-broken', url: 'http://127.0.0.1:9' }),
        );
        await manager.refresh();
        assert.equal(manager.current?.version, await store.configVersion());
        assert.ok(manager.current?.services.has(`${WS}/after-broken`));
        assert.notEqual(manager.current.basis.handlers, before?.basis.handlers, 'a full reload');
      } finally {
        await manager.stop();
        await agents.close();
      }
    });

    it('loads everything when the feed cannot say what changed', async () => {
      const v = await store.configVersion();
      assert.deepEqual(await store.changesSince?.(v), { from: v, version: v, changes: [] });
      const svc = await store.transaction((tx) =>
        tx.create('services', WS, { name: 'feed-a', url: 'http://127.0.0.1:9' }),
      );
      const delta = await store.changesSince?.(v);
      assert.deepEqual(delta?.changes, [{ kind: 'services', workspace: WS, id: svc.id, resource: svc }]);
      await store.transaction((tx) => tx.delete('services', WS, svc.id));
      assert.deepEqual((await store.changesSince?.(v + 1))?.changes, [
        { kind: 'services', workspace: WS, id: svc.id, resource: undefined },
      ]);
      // A workspace write is a marker: load everything.
      await store.transaction((tx) => tx.createWorkspace({ name: 'feed-ws' }));
      assert.equal(await store.changesSince?.(v), undefined);
      assert.equal(await store.changesSince?.(v + 2), undefined);
      // Before the feed's first row (a node that was behind when it was installed): a gap.
      assert.equal(await store.changesSince?.(0), undefined);
      // Three writes of 400 services each: 800 rows are read as a delta, 1,200 are too many.
      const from = await store.configVersion();
      for (let w = 0; w < 3; w++)
        await store.transaction(async (tx) => {
          for (let i = 0; i < 400; i++)
            await tx.create('services', WS, { name: `bulk-${w}-${i}`, url: 'http://127.0.0.1:9' });
        });
      assert.equal((await store.changesSince?.(from + 1))?.changes.length, 800);
      assert.equal(await store.changesSince?.(from), undefined);
    });
  });
}
