// Load generators. Peak throughput: wrk when installed (C, one thread: it leaves the most CPU to the candidate),
// else autocannon in this process. Latency at a fixed rate: see `paced()` below.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { runToEnd, tempDir, which } from './processes.mjs';

export const wrkPath = () => which('wrk');

export function loadGenerator() {
  const wrk = wrkPath();
  if (!wrk) return { name: 'autocannon', version: autocannonVersion() };
  const { stdout, stderr } = spawnSync(wrk, ['-v'], { encoding: 'utf8' });
  const version = /wrk\s+(\S+)/.exec(`${stdout}${stderr}`)?.[1] ?? '';
  return { name: 'wrk', version };
}

function autocannonVersion() {
  return createRequire(import.meta.url)('autocannon/package.json').version;
}

/** wrk prints durations as `812.00us`, `1.23ms` or `1.05s`. Returns milliseconds. */
function wrkMs(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) return NaN;
  const n = Number(m[1]);
  return { us: n / 1000, ms: n, s: n * 1000, m: n * 60_000 }[m[2]];
}

export function parseWrk(out) {
  const num = (re) => {
    const m = re.exec(out);
    return m ? m[1] : undefined;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(num(/Requests\/sec:\s+([\d.]+)/)),
    p50: wrkMs(num(/^\s+50%\s+(\S+)/m) ?? ''),
    p99: wrkMs(num(/^\s+99%\s+(\S+)/m) ?? ''),
    requests: Number(num(/(\d+) requests in/)),
    non2xx: Number(num(/Non-2xx or 3xx responses: (\d+)/) ?? 0),
    errors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}

function wrkArgs({ url, headers = {}, connections, duration, script }) {
  const args = ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', '--timeout', '5s'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  if (script) args.push('-s', script);
  args.push(url);
  return args;
}

/** Closed-loop peak load: `connections` connections, each sending its next request as soon as the last answers. */
export async function peak({ url, headers, connections, duration }) {
  if (wrkPath()) {
    const out = await runToEnd('wrk', wrkPath(), wrkArgs({ url, headers, connections, duration }), {
      timeoutMs: (duration + 30) * 1000,
    });
    return parseWrk(out);
  }
  const r = await autocannon({ url, headers, connections, pipelining: 1, duration });
  return {
    rps: r.requests.total / r.duration,
    // autocannon records latency in whole milliseconds.
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/*
 * Latency at a fixed rate. Neither wrk2 nor a usable open-loop mode is at hand:
 * - autocannon's `overallRate`/`connectionRate` is a per-second quota: every connection sends at full speed
 *   until its quota for the second is used, then idles. At "half load" that is half a second at peak and half a
 *   second idle, so its percentiles describe peak load, not half load.
 * - wrk's Lua `delay()` hook adds a think time before each connection's next request, and wrk starts the latency
 *   clock when the request is written, so think time is not counted. That is a paced closed loop: each
 *   connection sends one request every (think time + latency). We draw the think time uniformly from
 *   [0, 2 × mean] so connections do not march in step, round it stochastically to whole milliseconds (wrk's
 *   timers have ms resolution), and calibrate the mean with short runs until the achieved rate is within 5%
 *   of the target.
 * Without wrk the same paced closed loop runs here on an undici Pool. At half load the queues are short, so
 * a closed loop's coordinated-omission bias is small; both candidates are measured the same way.
 */
const PACE_TOLERANCE = 0.05;
const MAX_CALIBRATIONS = 4;

export async function calibratePace({ url, headers, connections, rate }) {
  const cycleMs = (connections * 1000) / rate;
  let meanMs = Math.max(0, cycleMs - 0.3);
  let last;
  for (let i = 0; i < MAX_CALIBRATIONS; i++) {
    last = await pacedRun({ url, headers, connections, duration: 2, meanMs });
    const achieved = last.rps;
    if (Math.abs(achieved - rate) / rate <= PACE_TOLERANCE) break;
    // Per-request overhead beyond the think time (latency, timer lateness), as observed: keep it, fix the mean.
    const overheadMs = (connections * 1000) / achieved - meanMs;
    meanMs = Math.max(0, cycleMs - overheadMs);
  }
  return { meanMs, calibration: last };
}

export async function pacedRun({ url, headers, connections, duration, meanMs }) {
  if (wrkPath()) {
    const script = path.join(tempDir('wrk'), 'pace.lua');
    writeFileSync(
      script,
      `-- generated by bench/lib/load.mjs: think time with mean ${meanMs} ms
local mean = ${meanMs}
math.randomseed(os.time())
function delay()
  local d = math.random() * 2 * mean
  local f = math.floor(d)
  if math.random() < d - f then f = f + 1 end
  return f
end
`,
    );
    const out = await runToEnd('wrk', wrkPath(), wrkArgs({ url, headers, connections, duration, script }), {
      timeoutMs: (duration + 30) * 1000,
    });
    return parseWrk(out);
  }
  return pacedUndici({ url, headers, connections, duration, meanMs });
}

async function pacedUndici({ url, headers, connections, duration, meanMs }) {
  const { origin, pathname, search } = new URL(url);
  const pool = new Pool(origin, { connections, keepAliveTimeout: 60_000 });
  const latencies = [];
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const stopAt = started + duration * 1000;
  const user = async () => {
    while (performance.now() < stopAt) {
      const t0 = performance.now();
      try {
        const res = await pool.request({ path: pathname + search, method: 'GET', headers });
        await res.body.dump();
        latencies.push(performance.now() - t0);
        if (res.statusCode < 200 || res.statusCode >= 400) non2xx++;
      } catch {
        errors++;
      }
      const d = Math.random() * 2 * meanMs;
      const f = Math.floor(d) + (Math.random() < d - Math.floor(d) ? 1 : 0);
      if (f > 0) await sleep(f);
    }
  };
  await Promise.all(Array.from({ length: connections }, user));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { rps: latencies.length / elapsed, p50: pct(50), p99: pct(99), requests: latencies.length, non2xx, errors };
}
