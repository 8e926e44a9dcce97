// Accuracy of a shared limit: 3 Keyway nodes counting in one Redis, a limit of L in any window W (the
// sliding window of docs/limits.md), clients hammering all three nodes at once for K windows. Each
// window must admit L within 1 % (issue 4; issue 19: never more than L, and no fewer either: L pass at
// the start of each window, the rest is refused); the figures go to docs/benchmark.md.
// Usage: npm run build && node bench/limits-accuracy.mjs [--limit 300] [--window 5] [--windows 3]
//        [--connections 16]
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { startKeyway } from './lib/keyway.mjs';
import { installCleanup, cleanup } from './lib/processes.mjs';
import http from 'node:http';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values } = parseArgs({
  options: {
    limit: { type: 'string', default: '300' },
    window: { type: 'string', default: '5' },
    windows: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
  },
});
const L = Number(values.limit);
const W = Number(values.window);
const C = Number(values.connections);
const K = Number(values.windows);

installCleanup();
// Accuracy, not throughput: an in-process upstream is enough.
const server = http.createServer((req, res) => req.resume().on('end', () => res.end('ok')));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const upstream = { origin: `http://127.0.0.1:${server.address().port}` };
const env = { root: ROOT, nodeArgs: [], upstream };
const prefix = `kw-accuracy-${randomUUID()}:`;
const nodes = [];
try {
  for (let i = 0; i < 3; i++) {
    const kw = await startKeyway(env, {
      name: `keyway-acc-${i}`,
      extraEnv: { KEYWAY_REDIS_URL: 'redis://127.0.0.1:6379', KEYWAY_REDIS_PREFIX: prefix },
    });
    nodes.push(kw);
    await kw.admin('POST', '/services', { name: 'acc', url: upstream.origin });
    await kw.admin('POST', '/routes', { name: 'acc', service: 'acc', paths: ['/'] });
    await kw.admin('POST', '/plans', {
      name: 'acc',
      rate_limits: [{ limit: L, window: `${W}s`, by: ['ip'] }],
    });
    await kw.admin('POST', '/plugins', { name: 'rate-limit', route: 'acc', config: { plan: 'acc' } });
    await kw.waitForRoute('/');
  }
  // Let the warm-up calls' units leave the window before measuring: a fresh window for the run.
  await new Promise((r) => setTimeout(r, W * 1000 + 200));

  const dispatcher = new Agent({ connections: C * 3, pipelining: 1 });
  // Admitted per window of the run, by the moment the answer came.
  const perWindow = Array.from({ length: K }, () => 0);
  let refused = 0;
  let other = 0;
  const started = Date.now();
  const end = started + K * W * 1000;
  const worker = async (url) => {
    while (Date.now() < end) {
      const res = await request(url, { dispatcher });
      await res.body.dump();
      const at = Date.now();
      // After `end` it is outside the measured run.
      if (at > end) return;
      if (res.statusCode === 200) perWindow[Math.min(K - 1, Math.floor((at - started) / (W * 1000)))]++;
      else if (res.statusCode === 429) refused++;
      else other++;
    }
  };
  await Promise.all(nodes.flatMap((n) => Array.from({ length: C }, () => worker(`${n.proxyUrl}/`))));
  await dispatcher.close();
  const admitted = perWindow.reduce((a, b) => a + b, 0);
  const expected = K * L;
  const excess = ((admitted - expected) / expected) * 100;
  const within = (n, target) => Math.abs(n - target) <= Math.floor(target * 0.01);
  const verdict = within(admitted, expected) && perWindow.every((n) => within(n, L)) ? 'PASS' : 'FAIL';
  console.log(
    `3 nodes, one Redis, limit ${L} in any ${W}s (sliding window), ${C} connections per node, ` +
      `${K} windows of load:\n` +
      `  admitted ${admitted} (${K} × ${L} = ${expected}, ${excess >= 0 ? '+' : ''}${excess.toFixed(2)}%), ` +
      `per window ${perWindow.join(' / ')}, refused ${refused}, other ${other} → ${verdict} ` +
      `(bound: ±1 % of ${L} per window)`,
  );
  process.exitCode = verdict === 'PASS' ? 0 : 1;
} finally {
  for (const n of nodes) await n.stop();
  server.closeAllConnections();
  server.close();
  await cleanup();
}
