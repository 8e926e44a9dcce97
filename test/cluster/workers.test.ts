// `keyway start --workers 2` as an operator runs it: one banner, /health and /ready, the admin token,
// a change made through one worker served by all at once, a killed worker replaced, SIGTERM draining
// an in-flight request before exiting 0.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, startServer, type TestServer } from '../helpers/upstream.js';
import { admin, EVENT_BOUND_MS, within } from './support/cluster-env.js';

/**
 * How long a replacement worker may take to start: it loads the whole node, which takes seconds under load
 * (a loaded 2-core machine once took over 10 s). A bound on waiting, not a timing requirement.
 */
const STARTUP_BOUND_MS = 60_000;

/** The primary's children, from /proc (Linux, like CI). */
function workerPids(kw: KeywayProcess): number[] {
  const pid = kw.child.pid as number;
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** A fresh connection per request, so node:cluster spreads them over the workers. */
async function fresh(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(url, { headers, reset: true });
  await res.body.dump();
  return res.statusCode;
}

describe('keyway start --workers 2', { timeout: 240_000 }, () => {
  let echo: TestServer;
  let slow: TestServer;
  let kw: KeywayProcess;
  let slowSeen = 0;

  before(async () => {
    echo = await startEcho('workers');
    slow = await startServer((req, res) => {
      // `/probe`: answered at once and not counted, to learn that every worker serves the route.
      if (req.url?.endsWith('/probe') === true) return void res.end('probe');
      slowSeen++;
      setTimeout(() => res.end('slow done'), 700);
    });
    // Poll at 60 s: what all workers see at once comes through the primary's event relay.
    kw = await startKeyway({
      args: ['--workers', '2'],
      env: { KEYWAY_POLL_INTERVAL_MS: '60000', KEYWAY_LOG_LEVEL: 'info' },
    });
  });
  after(async () => {
    await kw?.stop();
    await echo?.close();
    await slow?.close();
  });

  it('prints one banner and answers /health, /ready and the admin token on the shared ports', async () => {
    assert.equal(kw.output().match(/Keyway \S+ is running/g)?.length, 1, kw.output());
    assert.match(kw.output(), /workers\s+2/);
    assert.ok((await within(5_000, async () => workerPids(kw).length === 2)) < 5_000);
    for (let i = 0; i < 6; i++) {
      assert.equal(await fresh(`${kw.adminUrl}/health`), 200);
      assert.equal(await fresh(`${kw.adminUrl}/ready`), 200);
      assert.equal(await fresh(`${kw.adminUrl}/status`), 401);
      assert.equal(await fresh(`${kw.adminUrl}/status`, { authorization: `Bearer ${kw.token}` }), 200);
    }
  });

  it('a change made through one worker is served by every worker through the primary (the poll is 60 s)', async () => {
    await admin(kw, 'POST', '/services', { name: 'svc', url: `http://${echo.address}` });
    await admin(kw, 'POST', '/routes', { name: 'w', service: 'svc', paths: ['/w'] });
    // Ten fresh connections in a row all served: both workers have the route (round-robin).
    const took = await within(EVENT_BOUND_MS, async () => {
      for (let i = 0; i < 10; i++) if ((await fresh(`${kw.proxyUrl}/w/x`)) !== 200) return false;
      return true;
    });
    assert.ok(took < EVENT_BOUND_MS, `took ${took} ms`);
  });

  it('counts a rate limit exactly across both workers (through the primary)', async () => {
    await admin(kw, 'POST', '/services', { name: 'metered', url: `http://${echo.address}` });
    await admin(kw, 'POST', '/routes', { name: 'metered', service: 'metered', paths: ['/metered'] });
    // At most 40 in any hour: within this test, exactly 40 calls may pass in total.
    await admin(kw, 'POST', '/plugins', {
      name: 'rate-limit',
      route: 'metered',
      config: { limits: [{ limit: 40, window: '1h', by: ['route'] }] },
    });
    // Until both workers have the plugin, count every call that was metered (it carries the policy header).
    let metered = 0;
    const probe = async (): Promise<boolean> => {
      const res = await request(`${kw.proxyUrl}/metered/x`, { reset: true });
      await res.body.dump();
      const counted = res.headers['ratelimit-policy'] !== undefined;
      if (counted) metered++;
      return counted;
    };
    const ready = await within(5_000, async () => {
      for (let i = 0; i < 10; i++) if (!(await probe())) return false;
      return true;
    });
    assert.ok(ready < 5_000, 'the plugin did not reach both workers');
    const statuses = await Promise.all(Array.from({ length: 60 }, () => fresh(`${kw.proxyUrl}/metered/x`)));
    assert.equal(statuses.filter((s) => s === 200).length, 40 - metered, `after ${metered} metered probes`);
    assert.equal(statuses.filter((s) => s !== 200 && s !== 429).length, 0);
  });

  it('replaces a worker that dies, and keeps serving', async () => {
    const before = workerPids(kw);
    assert.equal(before.length, 2);
    process.kill(before[0], 'SIGKILL');
    const replaced = await within(STARTUP_BOUND_MS, async () => {
      const now = workerPids(kw);
      return now.length === 2 && !now.includes(before[0]);
    });
    assert.ok(replaced < STARTUP_BOUND_MS, 'no replacement worker');
    // Connections only go to workers that listen: wait until the new one does, then all must serve.
    const listening = await within(STARTUP_BOUND_MS, async () =>
      kw.output().includes('replacement worker listening'),
    );
    assert.ok(listening < STARTUP_BOUND_MS, kw.output());
    const served = await within(STARTUP_BOUND_MS, async () => {
      for (let i = 0; i < 10; i++) if ((await fresh(`${kw.proxyUrl}/w/x`)) !== 200) return false;
      return true;
    });
    assert.ok(served < STARTUP_BOUND_MS);
  });

  it('SIGTERM drains the in-flight request on every worker and exits 0', async () => {
    await admin(kw, 'POST', '/services', { name: 'slow', url: `http://${slow.address}` });
    await admin(kw, 'POST', '/routes', { name: 'slow', service: 'slow', paths: ['/slow'] });
    // Every worker must serve the new route before the four go out: each worker learns of it by its own
    // change event, and a new connection may land on any of them (the kernel picks). Eight probes in a row
    // on fresh connections answered 200 is taken as all of them.
    let streak = 0;
    const probing = await within(EVENT_BOUND_MS, async () => {
      const r = await request(`${kw.proxyUrl}/slow/probe`, { reset: true });
      await r.body.dump();
      const status = r.statusCode;
      streak = status === 200 ? streak + 1 : 0;
      return streak >= 8;
    });
    assert.ok(probing < EVENT_BOUND_MS, `the route /slow served by every worker (streak ${streak})`);
    const inFlight = Array.from({ length: 4 }, () =>
      request(`${kw.proxyUrl}/slow/x`, { reset: true }).then(async (r) => ({
        status: r.statusCode,
        text: await r.body.text(),
      })),
    );
    // Once all four reached the upstream (it answers after 700 ms), ask the primary to stop.
    // (Bounded generously: on a loaded machine the four may take seconds to arrive.)
    assert.ok((await within(15_000, async () => slowSeen >= 4)) < 15_000, `upstream saw ${slowSeen}`);
    const code = await kw.stop('SIGTERM');
    const answers = await Promise.all(inFlight);
    for (const a of answers) assert.deepEqual(a, { status: 200, text: 'slow done' });
    assert.equal(code, 0, kw.output());
  });
});
