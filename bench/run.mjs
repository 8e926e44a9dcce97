// Keyway's benchmark: peak throughput and latency of Keyway against a fixed upstream, beside the same upstream
// reached directly, through nginx, and through the smallest Node proxy (the runtime's ceiling).
// See docs/benchmark.md. Usage: npm run bench -- [--rounds 5] [--duration 5] [--connections 50]
//                                               [--only keyway,ceiling] [--profile] [--no-half-load]
import { mkdirSync, writeFileSync, readdirSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { scenarios } from './scenarios/index.mjs';
import { BODY } from './lib/body.mjs';
import {
  installCleanup,
  cleanup,
  cpuMicros,
  start,
  tempDir,
  waitFor,
  hide,
  interrupted,
} from './lib/processes.mjs';
import { nginxPath, nginxVersion, startNginxUpstream } from './lib/nginx.mjs';
import { loadGenerator, peak, pacedRun } from './lib/load.mjs';
import { selfTimes, formatTop } from './lib/profile.mjs';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const RESULTS = path.join(ROOT, 'bench', 'results');

const HELP = `usage: node bench/run.mjs [options]
  --rounds N         interleaved rounds per candidate (default 5)
  --duration S       seconds per run (default 5)
  --connections N    concurrent connections at peak (default 50)
  --warmup S         seconds of warm-up of each freshly started candidate before it is measured (default 2)
  --only a,b         candidates to run (${scenarios.map((s) => s.name).join(', ')})
  --profile          after measuring, run Keyway (and the ceiling) once more under --cpu-prof and print
                     the top 15 functions by self time under load
  --no-half-load     skip the latency-at-half-load measurement
  --fallback         use the Node upstream and autocannon even where nginx and wrk are installed`;

const OPTIONS = {
  rounds: { type: 'string', default: '5' },
  duration: { type: 'string', default: '5' },
  connections: { type: 'string', default: '50' },
  warmup: { type: 'string', default: '2' },
  only: { type: 'string' },
  profile: { type: 'boolean', default: false },
  'no-half-load': { type: 'boolean', default: false },
  fallback: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

function options() {
  let values;
  try {
    ({ values } = parseArgs({ options: OPTIONS }));
  } catch (err) {
    throw usage(err.message);
  }
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const int = (name, min, max) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max)
      throw usage(`--${name} must be an integer in ${min}..${max}`);
    return n;
  };
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of only ?? []) {
    if (!scenarios.some((s) => s.name === name)) throw usage(`--only: unknown candidate "${name}"`);
  }
  return {
    rounds: int('rounds', 1, 50),
    duration: int('duration', 1, 600),
    connections: int('connections', 1, 10_000),
    warmup: int('warmup', 0, 60),
    only,
    profile: values.profile,
    halfLoad: !values['no-half-load'],
    fallback: values.fallback,
  };
}

function usage(message) {
  return Object.assign(new Error(`${message}\n${HELP}`), { usage: true });
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
/** Share of all CPUs' time spent busy over the next `ms` milliseconds (0..1). */
async function cpuBusy(ms) {
  const total = () =>
    os.cpus().reduce(
      (acc, { times: t }) => ({
        busy: acc.busy + t.user + t.nice + t.sys + t.irq,
        all: acc.all + t.user + t.nice + t.sys + t.irq + t.idle,
      }),
      { busy: 0, all: 0 },
    );
  const a = total();
  await sleep(ms);
  const b = total();
  return b.all > a.all ? (b.busy - a.busy) / (b.all - a.all) : 0;
}
const log = (...args) => console.error(...args);
const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ratio = (a, b) => (a && b ? a / b : NaN);

async function startUpstream() {
  if (nginxPath()) {
    const nginx = await startNginxUpstream();
    return {
      kind: nginxVersion(),
      url: nginx.url,
      origin: `http://127.0.0.1:${nginx.port}`,
      port: nginx.port,
    };
  }
  const proc = await start('upstream', process.execPath, [path.join(ROOT, 'bench', 'upstream.mjs')], {
    readyLine: /listening (\d+)/,
  });
  const port = Number(proc.ready);
  await waitFor(`http://127.0.0.1:${port}/`, { proc });
  return {
    kind: `node ${process.version} (bench/upstream.mjs)`,
    url: `http://127.0.0.1:${port}/`,
    origin: `http://127.0.0.1:${port}`,
    port,
  };
}

/** A candidate that answers anything but the upstream's 200 and body would be measured doing something else. */
async function sanityCheck(name, { url, headers }) {
  const { body } = await waitFor(url, { headers, timeoutMs: 5_000, check: (r) => r.status === 200 });
  if (body !== BODY)
    throw new Error(
      `${name}: ${url} answered 200 but not with the upstream's body: ${JSON.stringify(body.slice(0, 200))}`,
    );
}

function checkRun(name, r, problems) {
  if (r.non2xx || r.errors || !(r.requests > 0)) {
    problems.push(`${name}: ${r.requests} requests, ${r.non2xx} non-2xx/3xx, ${r.errors} socket errors`);
  }
}

async function main() {
  const opts = options();
  installCleanup();
  if (opts.fallback) {
    hide('nginx');
    hide('wrk');
  }
  const env = { root: ROOT, nodeArgs: [], upstream: null };
  const selected = scenarios.filter((s) => !opts.only || opts.only.includes(s.name));
  const candidates = [];
  const skipped = [];
  for (const s of selected) {
    const ok = s.available ? s.available(env) : true;
    if (ok === true) candidates.push(s);
    else skipped.push(`${s.name} (${ok})`);
  }
  if (!candidates.length) throw new Error(`no candidate to run; skipped: ${skipped.join(', ')}`);

  const generator = loadGenerator();
  env.upstream = await startUpstream();
  const machine = {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? '',
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    busyBefore: await cpuBusy(1_000),
  };
  log(`machine: ${machine.cpus} × ${machine.cpu}, node ${machine.node}`);
  log(`upstream: ${env.upstream.kind} at ${env.upstream.url}; load: ${generator.name} ${generator.version}`);
  if (skipped.length) log(`skipped: ${skipped.join(', ')}`);
  // The load generator, the upstream and the candidate already share the cores; anything else running skews
  // the figures, most of all the p99s. (Not the load average: it still counts the build that just ran.)
  if (machine.busyBefore > 0.25) {
    log(
      `WARNING: the CPUs were ${Math.round(machine.busyBefore * 100)}% busy before the bench started: figures will be noisy`,
    );
  }

  const load = { connections: opts.connections };
  const problems = [];
  // Every run starts its candidate afresh, checks its answer and warms it up: a process's JIT decisions and
  // memory layout move its throughput by several percent (two identical Keyway processes differed by 7%
  // over six rounds on this VM), so one process per candidate would carry that luck into every round.
  const withFresh = async (s, measure) => {
    const target = await s.setup(env);
    try {
      await sanityCheck(s.name, target);
      if (opts.warmup) await peak({ ...target, ...load, duration: opts.warmup });
      return await measure(target);
    } finally {
      await s.teardown();
    }
  };

  // Interleaved rounds: a slow drift of the machine (thermal, noisy neighbour) spreads over every candidate
  // instead of landing on whichever ran last. Every other round runs the candidates in reverse order (A B C,
  // C B A, …), so over two rounds each pair of candidates is equally often first.
  const runs = Object.fromEntries(candidates.map((s) => [s.name, []]));
  for (let round = 1; round <= opts.rounds; round++) {
    const order = round % 2 === 1 ? candidates : [...candidates].reverse();
    for (const s of order) {
      const r = await withFresh(s, async (target) => {
        const before = cpuMicros(target.pid);
        const out = await peak({ ...target, ...load, duration: opts.duration });
        const after = cpuMicros(target.pid);
        // The candidate's CPU per answered request, every thread and child process included.
        out.cpuUs =
          before === undefined || after === undefined || !out.requests
            ? NaN
            : (after - before) / out.requests;
        return out;
      });
      checkRun(s.name, r, problems);
      runs[s.name].push(r);
      log(
        `round ${round}/${opts.rounds} ${s.name.padEnd(12)} ${fmt(r.rps, 0).padStart(8)} req/s  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms`,
      );
    }
  }
  const peakResults = Object.fromEntries(
    candidates.map((s) => {
      const rs = runs[s.name];
      const rps = median(rs.map((r) => r.rps));
      const spread =
        rs.length > 1 ? (Math.max(...rs.map((r) => r.rps)) - Math.min(...rs.map((r) => r.rps))) / rps : 0;
      return [
        s.name,
        {
          rps,
          p50: median(rs.map((r) => r.p50)),
          p99: median(rs.map((r) => r.p99)),
          cpuUs: median(rs.map((r) => r.cpuUs ?? NaN)),
          spread,
          rounds: rs,
        },
      ];
    }),
  );

  // Latency at half of Keyway's peak (or of the ceiling's when Keyway is not part of this run).
  let halfLoad = null;
  const gateways = candidates.filter((s) => s.gateway);
  const reference = gateways[0]?.name ?? (peakResults.ceiling ? 'ceiling' : null);
  if (opts.halfLoad && reference) {
    const rate = Math.round(peakResults[reference].rps / 2);
    const eligible = candidates
      .map((s) => s.name)
      .filter((n) => n === 'direct' || n === 'ceiling' || gateways.some((g) => g.name === n));
    // The pace is half of the reference's peak; a candidate whose own peak is not well above it (the Redis
    // rate limit: one round trip per request) would be measured near saturation, not at half load.
    const names = eligible.filter((n) => peakResults[n].rps >= rate * 1.25);
    const slow = eligible.filter((n) => !names.includes(n));
    log(`half load: ${rate} req/s (half of ${reference}'s peak) for ${names.join(', ')}`);
    if (slow.length)
      log(
        `half load skipped for ${slow.join(', ')}: peak below 1.25 × the pace (${Math.round(rate * 1.25)} req/s)`,
      );
    const halfRuns = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 1; round <= opts.rounds; round++) {
      for (const name of names) {
        const s = candidates.find((c) => c.name === name);
        const r = await withFresh(s, (target) =>
          pacedRun({ ...target, connections: opts.connections, duration: opts.duration, rate }),
        );
        checkRun(`${name} @ half load`, r, problems);
        // Fewer requests than the schedule means the candidate (or the shared CPU) could not keep the pace.
        if (r.rps < rate * 0.9)
          problems.push(`${name} @ half load: ${fmt(r.rps, 0)} req/s, below the ${rate} req/s pace`);
        halfRuns[name].push(r);
        log(
          `half ${round}/${opts.rounds} ${name.padEnd(12)} ${fmt(r.rps, 0).padStart(8)} req/s  p50 ${fmt(r.p50, 3)} ms  p99 ${fmt(r.p99, 3)} ms`,
        );
      }
    }
    halfLoad = {
      rate,
      reference,
      connections: opts.connections,
      results: Object.fromEntries(
        names.map((n) => {
          const rs = halfRuns[n];
          return [
            n,
            {
              rps: median(rs.map((r) => r.rps)),
              p50: median(rs.map((r) => r.p50)),
              p99: median(rs.map((r) => r.p99)),
              rounds: rs,
            },
          ];
        }),
      ),
    };
  }

  // Profiled runs come after the measured ones so the profiler's overhead never touches the figures. The
  // ceiling is profiled too: the difference between the two profiles is what Keyway adds.
  let profiles = null;
  if (opts.profile) {
    profiles = await profileCandidates(
      candidates.filter((s) => s.gateway || s.name === 'ceiling'),
      env,
      load,
      opts.duration,
    );
  }

  const summary = report({ peakResults, halfLoad, gateways, candidates });
  const result = {
    date: new Date().toISOString(),
    machine,
    upstream: env.upstream.kind,
    loadGenerator: `${generator.name} ${generator.version}`,
    options: {
      rounds: opts.rounds,
      duration: opts.duration,
      connections: opts.connections,
      warmup: opts.warmup,
    },
    skipped,
    peak: peakResults,
    halfLoad,
    summary,
    problems,
    profiles,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwritten: ${path.relative(process.cwd(), path.join(RESULTS, 'latest.json'))}`);
  if (problems.length) {
    console.log(
      `\nWARNING: some runs saw errors or non-2xx answers; their figures are suspect:\n  ${problems.join('\n  ')}`,
    );
    process.exitCode = 1;
  }
}

async function profileCandidates(list, env, load, duration) {
  const profiles = {};
  for (const s of list) {
    const dir = tempDir('cpu-prof');
    log(`profiling ${s.name}: one ${duration} s run under --cpu-prof…`);
    const target = await s.setup({ ...env, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const r = await peak({ ...target, ...load, duration });
    const toUs = Number(process.hrtime.bigint() / 1000n);
    await s.teardown();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) {
      console.log(
        `\n${s.name}: no .cpuprofile was written (--cpu-prof writes it only when the process exits cleanly on SIGTERM)`,
      );
      continue;
    }
    const kept = path.join(RESULTS, `${s.name}.cpuprofile`);
    mkdirSync(RESULTS, { recursive: true });
    copyFileSync(path.join(dir, file), kept);
    const top = selfTimes(kept, { fromUs, toUs });
    console.log(`\n${s.name} under --cpu-prof: ${fmt(r.rps, 0)} req/s (the profiler slows it down)`);
    console.log(formatTop(top, 15));
    console.log(
      `whole profile: ${path.relative(process.cwd(), kept)} (Chrome DevTools → Performance → Load profile)`,
    );
    profiles[s.name] = {
      file: path.relative(ROOT, kept),
      rps: r.rps,
      busyMs: top.busyMs,
      idleMs: top.idleMs,
      top: top.functions.slice(0, 15),
    };
  }
  return profiles;
}

function report({ peakResults, halfLoad, gateways }) {
  const rows = [['candidate', 'req/s', 'p50 ms', 'p99 ms', 'spread', 'CPU µs/req']];
  for (const [name, r] of Object.entries(peakResults)) {
    rows.push([
      name,
      fmt(r.rps, 0),
      fmt(r.p50),
      fmt(r.p99),
      `±${fmt((r.spread * 100) / 2, 1)}%`,
      fmt(r.cpuUs, 1),
    ]);
  }
  console.log(`\npeak (median of rounds)\n${table(rows)}`);

  if (halfLoad) {
    const half = [['candidate', 'req/s', 'p50 ms', 'p99 ms']];
    for (const [name, r] of Object.entries(halfLoad.results))
      half.push([name, fmt(r.rps, 0), fmt(r.p50, 3), fmt(r.p99, 3)]);
    console.log(
      `\nlatency at half load: ${halfLoad.rate} req/s target = half of ${halfLoad.reference}'s peak (median of rounds)\n${table(half)}`,
    );
  }

  const summary = {};
  // Ratios are paired: candidate ÷ reference within each round (runs minutes apart see different machines
  // on a shared host), then the median of those, with their range beside it.
  const paired = (a, b) => {
    const rb = peakResults[b]?.rounds ?? [];
    const xs = (peakResults[a]?.rounds ?? []).map((r, i) => ratio(r.rps, rb[i]?.rps)).filter(Number.isFinite);
    if (xs.length === 0) return { median: NaN, min: NaN, max: NaN };
    return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
  };
  const range = (p) => (Number.isFinite(p.min) ? ` [rounds ${fmt(p.min)}–${fmt(p.max)}]` : '');
  // The same pairing for CPU per request: reference ÷ candidate, so it reads like the throughput ratio
  // (what the candidate's throughput would be against the reference's if CPU were all that limited it).
  const pairedCpu = (a, b) => {
    const rb = peakResults[b]?.rounds ?? [];
    const xs = (peakResults[a]?.rounds ?? [])
      .map((r, i) => ratio(rb[i]?.cpuUs, r.cpuUs))
      .filter(Number.isFinite);
    return xs.length === 0 ? NaN : median(xs);
  };
  const p99half = (n) => halfLoad?.results[n]?.p99;
  const lines = [];
  const gatewayNames = gateways.map((g) => g.name);
  for (const g of gatewayNames) {
    const vsCeiling = paired(g, 'ceiling');
    const vsNginx = paired(g, 'nginx-proxy');
    const s = {
      vsCeiling: vsCeiling.median,
      vsNginxProxy: vsNginx.median,
      addedP99VsCeiling: p99half(g) - p99half('ceiling'),
      addedP99VsDirect: p99half(g) - p99half('direct'),
    };
    summary[g] = s;
    // Each scenario names its target (src: the issue it measures); the default is the bare route's. A
    // target without a ratio is a figure reported beside another scenario's, compared to `against`.
    const named = gateways.find((x) => x.name === g)?.target;
    const against = named?.against ?? 'ceiling';
    const want = named === undefined ? 0.9 : named.ratio;
    const vsTarget = paired(g, against);
    s.vsTarget = vsTarget.median;
    const verdict =
      want === undefined
        ? ' (reported, no target of its own)'
        : ` (target ≥ ${want.toFixed(2)})${s.vsTarget >= want ? '' : Number.isFinite(s.vsTarget) ? '  ← below target' : ''}`;
    lines.push(`${g}/${against} = ${fmt(s.vsTarget)}${range(vsTarget)}${verdict}`);
    s.cpuVsTarget = pairedCpu(g, against);
    if (Number.isFinite(s.cpuVsTarget))
      lines.push(`  CPU per request: ${against} ÷ ${g} = ${fmt(s.cpuVsTarget)}`);
    if (against !== 'ceiling') lines.push(`${g}/ceiling = ${fmt(s.vsCeiling)}${range(vsCeiling)}`);
    lines.push(`${g}/nginx-proxy = ${fmt(s.vsNginxProxy)}${range(vsNginx)}`);
  }
  summary.ceilingVsNginxProxy = paired('ceiling', 'nginx-proxy').median;
  lines.push(`ceiling/nginx-proxy = ${fmt(summary.ceilingVsNginxProxy)}`);
  for (const g of gatewayNames) {
    const s = summary[g];
    lines.push(
      `added p99 @ half load = ${fmt(s.addedP99VsCeiling)} ms (${g} − ceiling; target ≤ 1 ms)${s.addedP99VsCeiling <= 1 ? '' : Number.isFinite(s.addedP99VsCeiling) ? '  ← above target' : ''}`,
    );
    lines.push(`added p99 @ half load vs direct = ${fmt(s.addedP99VsDirect)} ms (${g} − direct)`);
  }
  if (!gatewayNames.length && halfLoad) {
    summary.ceilingAddedP99VsDirect = p99half('ceiling') - p99half('direct');
    lines.push(`ceiling added p99 @ half load vs direct = ${fmt(summary.ceilingAddedP99VsDirect)} ms`);
  }
  console.log(`\n${lines.join('\n')}`);
  return summary;
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}

main()
  .catch((err) => {
    if (interrupted()) return; // Ctrl-C: the load generator we ended is not news
    console.error(err.usage ? err.message : `\nbench failed: ${err.stack ?? err}`);
    process.exitCode = err.usage ? 2 : 1;
  })
  .finally(() => cleanup());
