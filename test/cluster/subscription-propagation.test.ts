// Two real nodes on one PostgreSQL database and one Redis: a subscription approved, suspended, resumed or
// revoked through node A is enforced by node B by a change event. The store poll is 60 s here, so only the
// change event can meet the bound. Issue 22 asks for "every node within 1 s": the latency of each change
// (from sending the admin call to A until B answers accordingly) is printed as diagnostics (p50/max over 10
// changes) and asserted against the generous EVENT_BOUND_MS only, so a loaded machine does not fail the suite.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEcho, type TestServer } from '../helpers/upstream.js';
import type { KeywayProcess } from '../helpers/keyway-process.js';
import {
  admin,
  clusterEnv,
  EVENT_BOUND_MS,
  percentile,
  proxyStatus,
  within,
  type ClusterEnv,
} from './support/cluster-env.js';

describe('subscription changes across two nodes', { timeout: 180_000 }, () => {
  let cl: ClusterEnv;
  let echo: TestServer;
  let a: KeywayProcess;
  let b: KeywayProcess;

  before(async () => {
    echo = await startEcho('subs');
    cl = await clusterEnv('subs');
    const env = { KEYWAY_POLL_INTERVAL_MS: '60000' };
    a = await cl.start({ env });
    b = await cl.start({ env });
  });
  after(async () => {
    await cl?.close();
    await echo?.close();
  });

  it('approve, suspend, resume and revoke on A are enforced on B by a change event', async (t) => {
    await admin(a, 'POST', '/plans', { name: 'partner', rate_limits: [{ limit: 1000, window: '1s' }] });
    await admin(a, 'POST', '/services', {
      name: 'weather',
      url: `http://${echo.address}`,
      approval: 'manual',
      subscription_required: true,
    });
    await admin(a, 'POST', '/routes', { name: 'weather', service: 'weather', paths: ['/weather'] });
    await admin(a, 'POST', '/plugins', { name: 'key-auth', route: 'weather', config: {} });
    await admin(a, 'POST', '/consumers', { username: 'acme' });
    await admin(a, 'POST', '/apps', { name: 'dash', consumer: 'acme' });
    const issued = await admin(a, 'POST', '/apps/dash/keys', {});
    const headers = { apikey: issued['key'] as string };
    const onB = () => proxyStatus(`${b.proxyUrl}/weather/now`, headers);
    // B knows the route and the key, and refuses the app: no subscription yet.
    assert.ok((await within(5_000, async () => (await onB()) === 403)) < 5_000, 'B never served the route');
    await admin(a, 'POST', '/subscriptions', { app: 'dash', service: 'weather', plan: 'partner' });
    assert.equal(await onB(), 403, 'pending is not approved');

    const changes: Array<{ action: string; expect: number }> = [{ action: 'approve', expect: 200 }];
    for (let i = 0; i < 4; i++) {
      changes.push({ action: 'suspend', expect: 403 }, { action: 'resume', expect: 200 });
    }
    changes.push({ action: 'revoke', expect: 403 });
    const latencies: number[] = [];
    for (const { action, expect } of changes) {
      const started = performance.now();
      const body = action === 'suspend' || action === 'revoke' ? { reason: `test ${action}` } : {};
      await admin(a, 'POST', `/subscriptions/dash@weather/${action}`, body);
      const waited = await within(EVENT_BOUND_MS, async () => (await onB()) === expect, 1);
      latencies.push(waited === Infinity ? Infinity : performance.now() - started);
    }
    t.diagnostic(
      `subscription change on A → enforced on B over ${changes.length} changes: ` +
        `p50 ${percentile(latencies, 50).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms ` +
        `(${latencies.map((l) => l.toFixed(0)).join(', ')})`,
    );
    assert.ok(Math.max(...latencies) < EVENT_BOUND_MS, latencies.join(', '));
  });
});
