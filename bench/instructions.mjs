// Instructions per request, per thread, by valgrind's callgrind: a figure that a busy machine moves less
// than throughput or CPU time (which swing by 20–60% on a shared VM). Not by nothing: valgrind runs the
// threads one at a time and how many requests a turn of the event loop serves depends on the machine, so
// single runs of the same build differed by up to ±10% with other builds on the cores (and a run that
// catches a GC or a compile reads higher): take the lowest of several runs, and compare thread 01.
//
//   node bench/instructions.mjs [--only keyway,keyway-shipped] [--warmup 8000] [--requests 3000] [--runs 2]
//                               [--set KEYWAY_TRACE=off …] [--node-arg --min-semi-space-size=16 …]
//                               [--keep DIR]
//
// Each scenario's Keyway process is started under `valgrind --tool=callgrind --instr-atstart=no` (counting
// off while it starts, is configured and warms up), driven by `--warmup` requests, then counted for
// `--requests` requests over 50 keep-alive connections, every thread on its own (`--separate-threads`):
// thread 01 is the proxy's, the last one the record thread (when records are on), those between V8's
// helpers (optimising compiler, GC). The load generator runs in this process and is not counted. Needs
// valgrind, nginx and a build (npm run build). docs/benchmark.md has figures.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { scenarios } from './scenarios/index.mjs';
import { startNginxUpstream, nginxPath } from './lib/nginx.mjs';
import { drive } from './lib/drive.mjs';
import { installCleanup, cleanup, tempDir, which, runToEnd } from './lib/processes.mjs';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'keyway,keyway-shipped' },
    warmup: { type: 'string', default: '8000' },
    requests: { type: 'string', default: '3000' },
    runs: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    set: { type: 'string', multiple: true, default: [] },
    // A V8/Node flag for the Keyway process (repeatable), e.g. a young-generation size to compare.
    'node-arg': { type: 'string', multiple: true, default: [] },
    // Keep the callgrind dumps (one folder per scenario and run) for `callgrind_annotate`.
    keep: { type: 'string' },
  },
});
const names = values.only.split(',').filter(Boolean);
const warmup = Number(values.warmup);
const requests = Number(values.requests);
const runs = Number(values.runs);
const connections = Number(values.connections);
// `--set NAME=VALUE` (repeatable): a node setting laid over every scenario's own.
const overrides = Object.fromEntries(
  values.set.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

function keptDir(root, name, run) {
  const dir = path.resolve(root, `${name}-${run + 1}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Instructions (Ir) per thread from the dump files of one callgrind run. */
function totals(dir) {
  const out = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.startsWith('callgrind.out'))
    .sort()) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    const m = /^(?:summary|totals): (\d+)/m.exec(text);
    // `callgrind.out.<pid>.<dump>-<thread>`: the dump asked for; the one written at exit has no number.
    const m2 = /\.(\d+)\.(\d+)-(\d+)$/.exec(f);
    if (!m2) continue;
    const thread = m2[3];
    if (m) out.push({ thread, ir: Number(m[1]) });
  }
  return out;
}

async function main() {
  if (!which('valgrind')) throw new Error('valgrind is not installed');
  installCleanup();
  const upstream = nginxPath() ? await startNginxUpstream() : null;
  if (!upstream) throw new Error('nginx is needed for the upstream');
  const up = { url: upstream.url, origin: `http://127.0.0.1:${upstream.port}`, port: upstream.port };
  for (const name of names) {
    const s = scenarios.find((x) => x.name === name);
    if (!s) throw new Error(`unknown scenario ${name}`);
    const perRun = [];
    for (let run = 0; run < runs; run++) {
      const dir = values.keep === undefined ? tempDir('callgrind') : keptDir(values.keep, name, run);
      const env = {
        root: ROOT,
        nodeArgs: values['node-arg'],
        upstream: up,
        slowdown: 15,
        env: overrides,
        wrap: [
          'valgrind',
          '--tool=callgrind',
          '--instr-atstart=no',
          '--separate-threads=yes',
          `--callgrind-out-file=${dir}/callgrind.out.%p`,
        ],
      };
      const target = await s.setup(env);
      try {
        await drive(target.url, target.headers, warmup, connections);
        await runToEnd('callgrind_control', 'callgrind_control', ['-i', 'on', String(target.pid)], {
          timeoutMs: 60_000,
        });
        await drive(target.url, target.headers, requests, connections);
        await runToEnd('callgrind_control', 'callgrind_control', ['-d', String(target.pid)], {
          timeoutMs: 120_000,
        });
      } finally {
        await s.teardown();
      }
      const threads = totals(dir).filter((t) => t.ir > 0);
      const all = threads.reduce((a, t) => a + t.ir, 0);
      perRun.push({ all, threads });
      console.error(
        `${name} run ${run + 1}: ${(all / requests / 1000).toFixed(1)} k instructions/request ` +
          `(${threads.map((t) => `thread ${t.thread}: ${(t.ir / requests / 1000).toFixed(1)} k`).join(', ')})`,
      );
    }
    const best = perRun.reduce((a, b) => (b.all < a.all ? b : a));
    console.log(
      `${name}: ${(best.all / requests / 1000).toFixed(1)} k instructions/request, lowest of ${runs} ` +
        `[${best.threads.map((t) => (t.ir / requests / 1000).toFixed(1)).join(' + ')}]`,
    );
  }
  await cleanup();
}

main().catch(async (err) => {
  console.error(err.message ?? err);
  await cleanup();
  process.exit(1);
});
