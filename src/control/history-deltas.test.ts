/**
 * Config history kept as keyframes and deltas gives back exactly the document of every kept version:
 * randomized writes (creates, patches, renames by replace, deletes, applies of many resources at once, a
 * workspace's own description) through the real config service on a real SQLite store; after each, the
 * export is remembered under the version it made. Then every kept version's document must equal that
 * export, a rollback (applying it back) must leave the workspace exporting exactly it, the history must
 * list exactly the last `keep` versions, and a version past them is gone.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { createConfigService } from './config-service.js';
import { historyDocument } from './history.js';
import type { ConfigService } from './types.js';

const KEEP = 30;
const WRITES = 90;
const WS = 'rand';

/** mulberry32: a small seeded generator, so a failure replays with its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('config history as keyframes and deltas', () => {
  let dir: string;
  let store: Store;
  let config: ConfigService;
  const seed = Number(process.env['KW_HISTORY_SEED'] ?? 20261208);
  const random = rng(seed);
  const pick = <T>(list: readonly T[]): T => {
    const item = list[Math.floor(random() * list.length)];
    assert.ok(item !== undefined);
    return item;
  };
  const actor = { name: 'tester' };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kw-history-'));
    store = await openStore({ dataDir: dir });
    config = createConfigService(store, { historyKeep: KEEP });
    await config.createWorkspace({ name: WS }, actor);
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** One random change that commits (a refused one is retried with another). */
  async function randomWrite(n: number): Promise<void> {
    const doc = await config.export(WS);
    const services = (doc.services ?? []).map((s) => s.name);
    const upstreams = (doc.upstreams ?? []).map((u) => u.name);
    const consumers = (doc.consumers ?? []).map((c) => c.username);
    const routes = (doc.services ?? []).flatMap((s) => (s.routes ?? []).map((r) => r.name));
    const choice = random();
    if (choice < 0.2 || services.length === 0)
      await config.create('services', WS, { name: `svc-${n}`, url: `http://127.0.0.1:9/${n}` }, actor);
    else if (choice < 0.32)
      await config.create(
        'routes',
        WS,
        { name: `route-${n}`, service: pick(services), paths: [`/p-${n}`] },
        actor,
      );
    else if (choice < 0.42)
      await config.create('upstreams', WS, { name: `up-${n}`, targets: [{ target: '127.0.0.1:9' }] }, actor);
    else if (choice < 0.5) await config.create('consumers', WS, { username: `c-${n}` }, actor);
    else if (choice < 0.62)
      await config.patch(
        'services',
        WS,
        pick(services),
        { url: `http://127.0.0.1:9/v${n}`, tags: [`t${n}`] },
        actor,
      );
    else if (choice < 0.68 && upstreams.length > 0)
      await config.replace('upstreams', WS, pick(upstreams), { name: `up-renamed-${n}`, targets: [] }, actor);
    else if (choice < 0.76 && routes.length > 0) await config.delete('routes', WS, pick(routes), actor);
    else if (choice < 0.82 && consumers.length > 0)
      await config.delete('consumers', WS, pick(consumers), actor);
    else if (choice < 0.88 && upstreams.length > 0)
      await config.delete('upstreams', WS, pick(upstreams), actor);
    else if (choice < 0.94)
      // A declarative apply: many resources at once, some gone, some new.
      await config.apply(
        {
          ...doc,
          services: [
            ...(doc.services ?? []).filter(() => random() < 0.8),
            ...Array.from({ length: 3 }, (_, i) => ({ name: `bulk-${n}-${i}`, url: 'http://127.0.0.1:9' })),
          ],
        },
        { dryRun: false, actor },
      );
    else await config.updateWorkspace(WS, { name: WS, description: `changed at ${n}` }, actor);
  }

  it('every kept version reads back as the export it made, and a rollback restores it', async () => {
    const exports = new Map<number, string>();
    for (let n = 0; n < WRITES; n++) {
      try {
        await randomWrite(n);
      } catch (err) {
        // A write the rules refuse (a reference still in use…) changes nothing: no version to check.
        if (!(err instanceof Error && 'code' in err)) throw err;
        continue;
      }
      const newest = (await store.listHistory(WS, { limit: 1 })).data[0];
      assert.ok(newest !== undefined);
      exports.set(newest.version, JSON.stringify(await config.export(WS)));
    }
    // Enough versions that trimming ran past keyframes (bases kept unlisted, then freed).
    assert.ok(exports.size > KEEP + 20, `only ${exports.size} versions, seed ${seed}`);
    const listed = await store.listHistory(WS, { limit: 1000 });
    const versions = [...exports.keys()].sort((a, b) => b - a).slice(0, KEEP);
    assert.deepEqual(
      listed.data.map((e) => e.version),
      versions,
      `seed ${seed}`,
    );
    for (const v of versions)
      assert.equal(
        JSON.stringify(await historyDocument(store, WS, v)),
        exports.get(v),
        `seed ${seed}, version ${v}`,
      );
    // A version past `keep` is gone, even when its row stays as a base.
    const dropped = [...exports.keys()].sort((a, b) => b - a)[KEEP];
    if (dropped !== undefined) await assert.rejects(historyDocument(store, WS, dropped), /not found/);

    for (const v of [versions.at(-1), versions[Math.floor(versions.length / 2)]]) {
      assert.ok(v !== undefined);
      const doc = await historyDocument(store, WS, v);
      await config.apply(doc, {
        dryRun: false,
        actor: { name: 'tester', reason: `rollback to version ${v}` },
      });
      assert.equal(JSON.stringify(await config.export(WS)), exports.get(v), `rollback to ${v}, seed ${seed}`);
    }
  });
});
