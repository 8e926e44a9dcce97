// Does heavy admin work stall the data plane? (Issue target: proxy p99 while a 5 MB apply and 100 concurrent
// admin writes run ≤ 2× its idle p99.)
//
// One Keyway process (call records on, as shipped) proxies a paced load (wrk at a fixed rate, see
// bench/lib/load.mjs) to an nginx upstream. First the idle p99 is measured; then, while the same load runs in
// consecutive windows, the admin API receives a ~5 MB `POST /config` (about 7,900 services, each with a route),
// then 100 concurrent single-resource writes, then one last route; the load keeps running until the proxy
// answers on that last route (so the data plane's reloads are inside the measured windows too). Reported: the
// idle p99, each window's p50/p99, the worst window's p99 and its ratio to idle — and, measured inside the
// Keyway process and so less at the mercy of a busy machine (bench/lib/loop-probe.mjs and the node's
// "serving config" log lines), per phase: the event loop's delay p99/max, the young-generation scavenges
// (count, pauses) and the reloads (how many, how many patched, the loop time they took).
//
// Usage: npm run build && node bench/admin-load.mjs [--rate 500] [--services 7868] [--window 5] [--writes 100]
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { startKeyway } from './lib/keyway.mjs';
import { cleanup, installCleanup, start, tempDir as tempDirFor, waitFor } from './lib/processes.mjs';
import { nginxPath, startNginxUpstream } from './lib/nginx.mjs';
import { pacedRun } from './lib/load.mjs';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    services: { type: 'string', default: '7868' },
    window: { type: 'string', default: '5' },
    writes: { type: 'string', default: '100' },
    connections: { type: 'string', default: '20' },
  },
});
const RATE = Number(values.rate);
const SERVICES = Number(values.services);
const WINDOW_S = Number(values.window);
const WRITES = Number(values.writes);
const CONNECTIONS = Number(values.connections);
const root = new URL('..', import.meta.url).pathname;
const log = (...a) => console.error(...a);

/** The declarative document: the bench route plus `n` services with one route each, padded to ~5 MB. */
function document(origin, n) {
  const services = [{ name: 'bench', url: origin, routes: [{ name: 'bench', paths: ['/bench'] }] }];
  const pad = 'x'.repeat(400);
  for (let i = 0; i < n; i++) {
    services.push({
      name: `svc-${i}`,
      url: `http://backend-${i % 50}.internal:8080/v1`,
      description: `Filler service ${i} for the admin-load bench. ${pad}`,
      tags: ['bench', `group-${i % 20}`],
      read_timeout_ms: 10_000,
      routes: [{ name: `route-${i}`, paths: [`/api/${i}/items`], methods: ['GET', 'POST'] }],
    });
  }
  return { _format_version: '1', workspace: 'default', services };
}

async function adminCall(kw, method, path, body, timeoutMs = 600_000) {
  const res = await request(`${kw.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${kw.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await res.body.text();
  if (res.statusCode >= 300)
    throw new Error(`admin ${method} ${path} → ${res.statusCode} ${text.slice(0, 300)}`);
  return text;
}

async function upstream() {
  if (nginxPath()) {
    const nginx = await startNginxUpstream();
    return `http://127.0.0.1:${nginx.port}`;
  }
  const proc = await start(
    'upstream',
    process.execPath,
    [new URL('upstream.mjs', import.meta.url).pathname],
    {
      readyLine: /listening (\d+)/,
    },
  );
  const origin = `http://127.0.0.1:${Number(proc.ready)}`;
  await waitFor(`${origin}/`, { proc });
  return origin;
}

installCleanup();
try {
  const origin = await upstream();
  const probeFile = path.join(tempDirFor('keyway-admin-probe'), 'probe.jsonl');
  const kw = await startKeyway(
    { root, nodeArgs: ['--import', new URL('lib/loop-probe.mjs', import.meta.url).pathname] },
    {
      name: 'keyway-admin-load',
      // info: the node logs each reload it serves ("serving config": busy ms, patched or not)
      extraEnv: { KEYWAY_BENCH_PROBE: probeFile, KEYWAY_LOG_LEVEL: 'info' },
    },
  );
  /** The probe's figures since the previous call, and the reloads the node logged meanwhile. */
  let logOffset = 0;
  const phase = async (label) => {
    process.kill(kw.proc.child.pid, 'SIGUSR2');
    await sleep(300);
    const lines = readFileSync(probeFile, 'utf8').trim().split('\n');
    const probe = JSON.parse(lines.at(-1));
    const log = readFileSync(kw.proc.logFile);
    const reloads = log
      .subarray(logOffset)
      .toString('utf8')
      .split('\n')
      .filter((l) => l.includes('"serving config"'))
      .map((l) => JSON.parse(l))
      .filter((r) => r.reload_busy_ms !== undefined);
    logOffset = log.length;
    const busy = reloads.map((r) => r.reload_busy_ms);
    const figures = {
      label,
      ...probe,
      reloads: {
        count: reloads.length,
        patched: reloads.filter((r) => r.patched).length,
        busyMs: busy.reduce((a, b) => a + b, 0),
        maxBusyMs: Math.max(0, ...busy),
        longestSliceMs: Math.max(0, ...reloads.map((r) => r.longest_slice_ms)),
      },
    };
    phases.push(figures);
    return figures;
  };
  const phases = [];
  await kw.admin('POST', '/services', { name: 'bench', url: origin });
  await kw.admin('POST', '/routes', { name: 'bench', service: 'bench', paths: ['/bench'] });
  await kw.waitForRoute('/bench');
  const url = new URL('/bench', kw.proxyUrl).href;
  const load = (duration) => pacedRun({ url, connections: CONNECTIONS, duration, rate: RATE });

  await load(3); // warm-up
  await phase('warm-up');
  const idle = await load(2 * WINDOW_S);
  await phase('idle');
  log(`idle: ${RATE} req/s, p50 ${idle.p50.toFixed(2)} ms, p99 ${idle.p99.toFixed(2)} ms`);

  const body = JSON.stringify(document(origin, SERVICES));
  log(`document: ${(body.length / 1e6).toFixed(1)} MB, ${SERVICES + 1} services + routes each`);

  let done = false;
  const steps = [];
  const work = (async () => {
    const t0 = performance.now();
    await adminCall(kw, 'POST', '/config', body);
    steps.push(`apply ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await phase('apply');
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: WRITES }, (_, i) =>
        adminCall(kw, 'POST', '/services', { name: `written-${i}`, url: origin, tags: ['bench'] }),
      ),
    );
    steps.push(`${WRITES} writes ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    await phase('writes');
    await adminCall(kw, 'POST', '/routes', { name: 'last', service: 'written-0', paths: ['/last'] });
    const t2 = performance.now();
    for (;;) {
      const r = await request(new URL('/last', kw.proxyUrl));
      await r.body.dump();
      if (r.statusCode === 200) break;
      await sleep(50);
    }
    steps.push(`last route served after ${((performance.now() - t2) / 1000).toFixed(1)} s`);
    await phase('last route');
  })().finally(() => (done = true));

  const windows = [];
  while (!done) {
    const w = await load(WINDOW_S);
    windows.push(w);
    log(
      `  window ${windows.length}: p50 ${w.p50.toFixed(2)} ms, p99 ${w.p99.toFixed(2)} ms, ` +
        `${w.requests} requests, non-2xx ${w.non2xx}, errors ${w.errors}`,
    );
  }
  await work;
  // wrk's percentiles cover answered requests only: a window where the proxy stalled past wrk's 5 s timeout
  // answers far fewer than the pace sent, and its p99 is then at least the window itself.
  const expected = RATE * WINDOW_S;
  const stalled = windows.filter((w) => w.requests < 0.9 * expected);
  const worst = windows.reduce((a, b) => (b.p99 > a.p99 ? b : a));
  const failed = windows.reduce((n, w) => n + w.non2xx + w.errors, 0);
  const worstText =
    stalled.length > 0
      ? `${stalled.length} window(s) answered under 90 % of the ${expected} requests sent (proxy stalled)`
      : `worst window p99 ${worst.p99.toFixed(2)} ms = ${(worst.p99 / idle.p99).toFixed(2)}× idle (target ≤ 2×)`;
  console.log(
    `admin load: idle p99 ${idle.p99.toFixed(2)} ms; during admin work (${steps.join(', ')}), ` +
      `${windows.length} windows of ${WINDOW_S} s: ${worstText}; ${failed} failed requests`,
  );
  for (const p of phases.filter((x) => x.label !== 'warm-up')) {
    const r = p.reloads;
    console.log(
      `  ${p.label}: loop delay p99 ${p.loop.p99} ms, max ${p.loop.max} ms; scavenges ${p.scavenge.count} ` +
        `(${p.scavenge.ms} ms, longest ${p.scavenge.maxMs} ms, ${p.scavenge.over5ms} over 5 ms), full GCs ` +
        `${p.major.count} (${p.major.ms} ms); reloads ${r.count} (${r.patched} patched), loop busy ` +
        `${r.busyMs} ms in all, longest reload ${r.maxBusyMs} ms, longest slice ${r.longestSliceMs} ms`,
    );
  }
  await kw.stop();
} finally {
  await cleanup();
}
