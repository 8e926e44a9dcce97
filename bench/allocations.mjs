// Bytes allocated per request, and the young-generation collections they cost, per scenario: figures a
// busy machine does not move (the bytes a request allocates are the same whatever the load), unlike
// req/s. Pause times are wall-clock and are printed for what they are.
//
//   node bench/allocations.mjs [--only keyway,keyway-key-auth] [--warmup 10000] [--requests 50000]
//                              [--set KEYWAY_TRACE=off …] [--node-arg --min-semi-space-size=8 …]
//
// Each scenario's Keyway process runs with `--trace-gc-nvp` (one line per collection, on its log); it is
// driven by `--warmup` requests, then the collections of the next `--requests` requests are summed:
// `allocated` (bytes allocated since the previous collection, every space), `promoted` (moved to the old
// generation), `new_space_survived`. Over many collections the sum over the window, divided by the
// requests, is what one request allocates (± one collection's worth: the window's edges). The load
// generator runs in this process. Needs nginx and a build (npm run build). docs/benchmark.md has figures.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { scenarios } from './scenarios/index.mjs';
import { drive } from './lib/drive.mjs';
import { startNginxUpstream, nginxPath } from './lib/nginx.mjs';
import { installCleanup, cleanup } from './lib/processes.mjs';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values } = parseArgs({
  options: {
    only: {
      type: 'string',
      default: 'keyway,keyway-key-auth,keyway-rate-limit,keyway-logging,keyway-shipped',
    },
    warmup: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '50000' },
    connections: { type: 'string', default: '50' },
    set: { type: 'string', multiple: true, default: [] },
    'node-arg': { type: 'string', multiple: true, default: [] },
  },
});
const names = values.only.split(',').filter(Boolean);
const warmup = Number(values.warmup);
const requests = Number(values.requests);
const connections = Number(values.connections);
const overrides = Object.fromEntries(
  values.set.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

/** The collections logged in `text` (lines of --trace-gc-nvp), summed. */
function collections(text) {
  const sum = { scavenges: 0, fullGcs: 0, allocated: 0, promoted: 0, survived: 0, pauseMs: 0, maxPauseMs: 0 };
  for (const line of text.split('\n')) {
    const kind = / gc=(\w+)/.exec(line)?.[1];
    if (kind === undefined) continue;
    const field = (name) => Number(new RegExp(` ${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
    if (kind === 's') sum.scavenges++;
    else sum.fullGcs++;
    sum.allocated += field('allocated');
    sum.promoted += field('promoted');
    sum.survived += field('new_space_survived');
    const pause = field('pause');
    sum.pauseMs += pause;
    sum.maxPauseMs = Math.max(sum.maxPauseMs, pause);
  }
  return sum;
}

async function main() {
  installCleanup();
  const upstream = nginxPath() ? await startNginxUpstream() : null;
  if (!upstream) throw new Error('nginx is needed for the upstream');
  const up = { url: upstream.url, origin: `http://127.0.0.1:${upstream.port}`, port: upstream.port };
  console.log(
    `${requests} requests after ${warmup} of warm-up, ${connections} connections` +
      (values['node-arg'].length > 0 ? `, node ${values['node-arg'].join(' ')}` : ''),
  );
  console.log(
    'scenario | bytes/request | promoted/request | requests/scavenge | scavenge µs/request | full GCs',
  );
  for (const name of names) {
    const s = scenarios.find((x) => x.name === name);
    if (!s) throw new Error(`unknown scenario ${name}`);
    const env = {
      root: ROOT,
      nodeArgs: ['--trace-gc-nvp', ...values['node-arg']],
      upstream: up,
      env: overrides,
    };
    const target = await s.setup(env);
    let sum;
    try {
      await drive(target.url, target.headers, warmup, connections);
      const log = target.logFile;
      if (log === undefined) throw new Error(`scenario ${name} does not say where its log is`);
      const from = statSync(log).size;
      await drive(target.url, target.headers, requests, connections);
      sum = collections(readFileSync(log).subarray(from).toString('utf8'));
    } finally {
      await s.teardown();
    }
    console.log(
      `${name} | ${Math.round(sum.allocated / requests)} | ${Math.round(sum.promoted / requests)} | ` +
        `${sum.scavenges === 0 ? '-' : Math.round(requests / sum.scavenges)} | ` +
        `${((sum.pauseMs * 1000) / requests).toFixed(2)} (max pause ${sum.maxPauseMs.toFixed(1)} ms) | ${sum.fullGcs}`,
    );
  }
  await cleanup();
}

main().catch(async (err) => {
  console.error(err.message ?? err);
  await cleanup();
  process.exit(1);
});
