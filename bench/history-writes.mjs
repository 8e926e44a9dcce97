// What config history costs a write. A workspace of --services services (each with a route; 7,868 is the
// ~5 MB document of bench/admin-load.mjs) is applied once; then --writes store transactions, one after
// another, each creating one upstream with its audit row — first without a history version, then with
// one (`recordHistory`, `config_history_keep` 100 as shipped). The difference is what history costs; the
// config service's own checks (the same with or without history) are left out so they do not hide it.
// On SQLite in a temp dir, or --database-url postgres://….
//
// Usage: npm run build && node bench/history-writes.mjs [--services 7868] [--writes 100] [--database-url URL]
import { parseArgs } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../dist/src/store/open-store.js';
import { createConfigService } from '../dist/src/control/config-service.js';
import { recordHistory } from '../dist/src/control/history.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '7868' },
    writes: { type: 'string', default: '100' },
    'database-url': { type: 'string' },
  },
});
const SERVICES = Number(values.services);
const WRITES = Number(values.writes);
const dataDir = await mkdtemp(path.join(tmpdir(), 'kw-history-bench-'));
const store = await openStore(
  values['database-url'] === undefined ? { dataDir } : { dataDir, databaseUrl: values['database-url'] },
);
const config = createConfigService(store, { historyKeep: 100 });
const actor = { name: 'bench' };
const ws = `bench-${process.pid}`;

async function writes(label, withHistory) {
  const each = [];
  const t = performance.now();
  for (let i = 0; i < WRITES; i++) {
    const s = performance.now();
    await store.transaction(async (tx) => {
      const name = `${label}-${i}`;
      const up = await tx.create('upstreams', ws, { name, targets: [{ target: '127.0.0.1:9' }] });
      await tx.audit({
        workspace: ws,
        actor: 'bench',
        action: 'create',
        kind: 'upstreams',
        key: name,
        before: null,
        after: up,
      });
      if (withHistory) await recordHistory(tx, 100);
    });
    each.push(performance.now() - s);
  }
  const total = (performance.now() - t) / 1000;
  each.sort((a, b) => a - b);
  const p50 = each[Math.floor(each.length / 2)];
  console.log(
    `${WRITES} writes ${withHistory ? 'with' : 'without'} history: ${total.toFixed(1)} s (p50 ${p50.toFixed(0)} ms, max ${each.at(-1).toFixed(0)} ms)`,
  );
}

try {
  await config.createWorkspace({ name: ws }, actor);
  const services = Array.from({ length: SERVICES }, (_, i) => ({
    name: `svc-${i}`,
    url: `http://127.0.0.1:9/${i}`,
    routes: [{ name: `route-${i}`, paths: [`/svc-${i}`] }],
  }));
  const t = performance.now();
  await config.apply({ _format_version: '1', workspace: ws, services }, { dryRun: false, actor });
  console.log(`apply of ${SERVICES} services: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await writes('plain', false);
  await writes('kept', true);
} finally {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
}
