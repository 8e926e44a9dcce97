// How fast a refused upstream turns into a 502 (target: within 50 ms). Starts one Keyway process, points a
// route at a loopback port where nothing listens, and times sequential requests end to end.
// Usage: npm run build && node bench/refused-upstream.mjs [--requests N]
import { request } from 'undici';
import { startKeyway } from './lib/keyway.mjs';
import { cleanup, freePort, installCleanup } from './lib/processes.mjs';

const n = Number(process.argv[process.argv.indexOf('--requests') + 1]) || 1000;
installCleanup();
const root = new URL('..', import.meta.url).pathname;
try {
  const dead = await freePort(); // free now, so connections to it are refused
  const kw = await startKeyway({ root });
  await kw.admin('POST', '/services', { name: 'dead', url: `http://127.0.0.1:${dead}` });
  await kw.admin('POST', '/routes', { name: 'dead', service: 'dead', paths: ['/'] });
  const url = new URL('/x', kw.proxyUrl).href;
  // The route reaches the data plane asynchronously: wait (bounded) until it answers 502, not 404.
  for (let i = 0; i < 200; i++) {
    const r = await request(url);
    await r.body.dump();
    if (r.statusCode === 502) break;
    await new Promise((res) => setTimeout(res, 25));
  }
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const r = await request(url);
    await r.body.dump();
    if (r.statusCode !== 502) throw new Error(`expected 502, got ${r.statusCode}`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3);
  console.log(
    `refused upstream → 502 over ${n} requests: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms (target: within 50 ms)`,
  );
  await kw.stop();
} finally {
  await cleanup();
}
