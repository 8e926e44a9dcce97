// Two of three targets killed under load (issue 25): the share of failed requests per 250 ms bucket after the
// kill, and, once they are back, how long until traffic reaches them again (within the active check interval).
//
// One Keyway process, three HTTP targets in this process (a killed target closes its listener and every
// connection, so new connections are refused, as with a crashed backend), an upstream with passive checks,
// active checks every `--interval` ms and `retries: 2`; `--concurrency` clients send GETs back to back.
// Usage: npm run build && node bench/upstream-failover.mjs [--concurrency 16] [--interval 1000]
import http from 'node:http';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { startKeyway } from './lib/keyway.mjs';
import { cleanup, installCleanup } from './lib/processes.mjs';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '16' },
    interval: { type: 'string', default: '1000' },
    before: { type: 'string', default: '2000' },
    down: { type: 'string', default: '4000' },
    back: { type: 'string', default: '3000' },
  },
});
const concurrency = Number(values.concurrency);
const intervalMs = Number(values.interval);
const BUCKET = 250;

/** A target: counts what it serves per bucket; `kill` and `revive` on the same port. */
async function target(name) {
  const t = { name, hits: [], server: undefined, port: 0, start: 0 };
  const listen = async (port) => {
    t.server = http.createServer((req, res) => {
      if (req.url !== '/health') {
        const b = Math.floor((performance.now() - t.start) / BUCKET);
        t.hits[b] = (t.hits[b] ?? 0) + 1;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
    });
    t.server.keepAliveTimeout = 30_000;
    t.server.listen(port, '127.0.0.1');
    await once(t.server, 'listening');
    t.port = t.server.address().port;
  };
  await listen(0);
  t.kill = async () => {
    t.server.closeAllConnections();
    await new Promise((resolve) => t.server.close(resolve));
  };
  t.revive = () => listen(t.port);
  return t;
}

installCleanup();
const root = new URL('..', import.meta.url).pathname;
const targets = await Promise.all(['a', 'b', 'c'].map(target));
try {
  const kw = await startKeyway({ root });
  await kw.admin('POST', '/upstreams', {
    name: 'pool',
    targets: targets.map((t) => ({ target: `127.0.0.1:${t.port}` })),
    healthchecks: {
      passive: { failures: 3, timeouts: 2 },
      active: {
        path: '/health',
        interval_ms: intervalMs,
        timeout_ms: Math.min(500, intervalMs),
        healthy_threshold: 1,
        unhealthy_threshold: 2,
      },
    },
  });
  await kw.admin('POST', '/services', {
    name: 'pool',
    url: 'http://pool',
    retries: 2,
    connect_timeout_ms: 500,
  });
  await kw.admin('POST', '/routes', { name: 'pool', service: 'pool', paths: ['/'] });
  const url = new URL('/x', kw.proxyUrl).href;
  for (let i = 0; i < 200; i++) {
    const r = await request(url);
    await r.body.dump();
    if (r.statusCode === 200) break;
    await new Promise((res) => setTimeout(res, 25));
  }

  const client = new Agent({ connections: concurrency });
  const start = performance.now();
  for (const t of targets) t.start = start;
  const results = []; // [bucket, ok]
  let running = true;
  const loop = async () => {
    while (running) {
      const b = Math.floor((performance.now() - start) / BUCKET);
      try {
        const r = await request(url, { dispatcher: client });
        await r.body.dump();
        results.push([b, r.statusCode === 200]);
      } catch {
        results.push([b, false]);
      }
    }
  };
  const clients = Array.from({ length: concurrency }, loop);
  const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
  const before = Number(values.before);
  const down = Number(values.down);
  const back = Number(values.back);
  await sleep(before);
  const killedAt = performance.now() - start;
  await Promise.all([targets[1].kill(), targets[2].kill()]);
  await sleep(down);
  const revivedAt = performance.now() - start;
  await Promise.all([targets[1].revive(), targets[2].revive()]);
  await sleep(back);
  running = false;
  await Promise.all(clients);
  await client.close();

  const killBucket = Math.floor(killedAt / BUCKET);
  const reviveBucket = Math.floor(revivedAt / BUCKET);
  const last = Math.max(...results.map(([b]) => b));
  const rows = [];
  for (let b = killBucket; b <= last; b++) {
    const inB = results.filter(([x]) => x === b);
    const failed = inB.filter(([, ok]) => !ok).length;
    rows.push({
      t_ms: b * BUCKET - Math.round(killedAt),
      requests: inB.length,
      failed_pct: inB.length === 0 ? 0 : +((failed / inB.length) * 100).toFixed(2),
      revived_share_pct:
        b < reviveBucket || inB.length === 0
          ? undefined
          : +((((targets[1].hits[b] ?? 0) + (targets[2].hits[b] ?? 0)) / inB.length) * 100).toFixed(1),
    });
  }
  const total = results.length;
  const failedTotal = results.filter(([, ok]) => !ok).length;
  const afterFirstSecond = results.filter(([b]) => b >= killBucket + 1000 / BUCKET && b < reviveBucket);
  // The first bucket at or after the revival in which the revived targets took at least 1/3 of the traffic.
  let returned;
  for (let b = reviveBucket; b <= last; b++) {
    const inB = results.filter(([x]) => x === b).length;
    const share = ((targets[1].hits[b] ?? 0) + (targets[2].hits[b] ?? 0)) / Math.max(1, inB);
    if (share >= 0.33) {
      returned = (b + 1) * BUCKET - revivedAt;
      break;
    }
  }
  console.log(
    `upstream failover: ${concurrency} clients, ${total} requests, ${failedTotal} failed in all; targets b and c killed at ${Math.round(killedAt)} ms, back at ${Math.round(revivedAt)} ms; active checks every ${intervalMs} ms`,
  );
  console.log('per 250 ms bucket from the kill (t_ms relative to it):');
  console.table(rows);
  console.log(
    `failed after the first second of the outage: ${afterFirstSecond.filter(([, ok]) => !ok).length} of ${afterFirstSecond.length}`,
  );
  console.log(
    returned === undefined
      ? 'the revived targets did not get a third of the traffic back before the end'
      : `the revived targets had a third of the traffic back within ${Math.round(returned)} ms of their return (check interval ${intervalMs} ms)`,
  );
  await kw.stop();
} finally {
  await Promise.all(targets.map((t) => (t.server.listening ? t.kill() : undefined)));
  await cleanup();
}
