// Three real nodes on one PostgreSQL database and one Redis: a change or a revocation made on one node is
// in force on the others by a change event. The store poll is set to 60 s here, so only change events can
// meet the bound (EVENT_BOUND_MS): this proves the event path, not the fallback. How fast events are is
// printed as diagnostics, not asserted: a loaded machine must not fail the suite.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEcho, type TestServer } from '../helpers/upstream.js';
import type { KeywayProcess } from '../helpers/keyway-process.js';
import {
  admin,
  adminCall,
  clusterEnv,
  EVENT_BOUND_MS,
  percentile,
  proxyStatus,
  within,
  type ClusterEnv,
} from './support/cluster-env.js';

const BOUND_MS = EVENT_BOUND_MS;
const REVOCATIONS = 20;

describe('change events across three nodes', { timeout: 120_000 }, () => {
  let cl: ClusterEnv;
  let echo: TestServer;
  let a: KeywayProcess;
  let b: KeywayProcess;
  let c: KeywayProcess;

  before(async () => {
    echo = await startEcho('events');
    cl = await clusterEnv('events');
    const env = { KEYWAY_POLL_INTERVAL_MS: '60000' };
    a = await cl.start({ env });
    b = await cl.start({ env });
    c = await cl.start({ env });
  });
  after(async () => {
    await cl?.close();
    await echo?.close();
  });

  it('a config change on A is served by B and C by a change event', async (t) => {
    await admin(a, 'POST', '/services', { name: 'svc', url: `http://${echo.address}` });
    await admin(a, 'POST', '/routes', { name: 'fresh', service: 'svc', paths: ['/fresh'] });
    const [onB, onC] = await Promise.all(
      [b, c].map((n) => within(BOUND_MS, async () => (await proxyStatus(`${n.proxyUrl}/fresh/x`)) === 200)),
    );
    t.diagnostic(`new route on A served by B after ${onB.toFixed(1)} ms, by C after ${onC.toFixed(1)} ms`);
    assert.ok(onB < BOUND_MS && onC < BOUND_MS, `B ${onB} ms, C ${onC} ms`);
  });

  it('a key revoked on A gets 401 on B by an event, every time', async (t) => {
    await admin(a, 'POST', '/consumers', { username: 'acme' });
    await admin(a, 'POST', '/apps', { name: 'dash', consumer: 'acme' });
    await admin(a, 'POST', '/routes', { name: 'secure', service: 'svc', paths: ['/secure'] });
    await admin(a, 'POST', '/plugins', { name: 'key-auth', route: 'secure', config: {} });
    await within(5_000, async () => (await proxyStatus(`${b.proxyUrl}/secure/x`)) === 401);
    const latencies: number[] = [];
    for (let i = 0; i < REVOCATIONS; i++) {
      const issued = await admin(a, 'POST', '/apps/dash/keys', {});
      const key = issued['key'] as string;
      const id = (issued['record'] as { id: string }).id;
      const headers = { apikey: key };
      // B learns the key (and caches it): the revocation must evict a cached record, the hard case.
      const known = await within(
        5_000,
        async () => (await proxyStatus(`${b.proxyUrl}/secure/x`, headers)) === 200,
      );
      assert.ok(known < 5_000, 'B never accepted the new key');
      const revoked = await adminCall(a, 'DELETE', `/keys/${id}`);
      assert.equal(revoked.status, 200);
      const took = await within(
        BOUND_MS,
        async () => (await proxyStatus(`${b.proxyUrl}/secure/x`, headers)) === 401,
        1,
      );
      latencies.push(took);
    }
    t.diagnostic(
      `revoke on A → 401 on B over ${REVOCATIONS} keys: p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
    );
    assert.ok(Math.max(...latencies) < BOUND_MS, latencies.join(', '));
  });

  it('blocking a consumer on A refuses its keys on C by a change event', async () => {
    const issued = await admin(a, 'POST', '/apps/dash/keys', {});
    const headers = { apikey: issued['key'] as string };
    assert.ok(
      (await within(5_000, async () => (await proxyStatus(`${c.proxyUrl}/secure/x`, headers)) === 200)) <
        5_000,
    );
    await admin(a, 'PUT', '/consumers/acme', { username: 'acme', enabled: false });
    const took = await within(
      BOUND_MS,
      async () => (await proxyStatus(`${c.proxyUrl}/secure/x`, headers)) !== 200,
    );
    assert.ok(took < BOUND_MS, `took ${took} ms`);
  });
});
