/**
 * A key issued on one node must be served by every node, although each refuses keys its key filter does
 * not hold (docs/keys.md, "Unknown keys"). Real processes on one PostgreSQL: B hears of new keys through
 * Redis change events only (store poll at 60 s), C has no Redis and hears through the store's change feed
 * only; and `--workers 2`, whose workers hear through the primary's relay. The times are reported, not
 * asserted: the bounds are generous deadlines for a loaded machine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';
import { admin, clusterEnv, proxyStatus, within, type ClusterEnv } from '../cluster/support/cluster-env.js';

const DEADLINE_MS = 15_000;

async function keyedRoute(kw: KeywayProcess, echo: TestServer): Promise<void> {
  await admin(kw, 'POST', '/services', { name: 'svc', url: `http://${echo.address}` });
  await admin(kw, 'POST', '/routes', { name: 'secure', service: 'svc', paths: ['/secure'] });
  await admin(kw, 'POST', '/plugins', { name: 'key-auth', route: 'secure', config: {} });
  await admin(kw, 'POST', '/consumers', { username: 'acme' });
  await admin(kw, 'POST', '/apps', { name: 'dash', consumer: 'acme' });
}

describe('a new key reaches every node', { timeout: 120_000 }, () => {
  let cl: ClusterEnv;
  let echo: TestServer;
  let a: KeywayProcess;
  let b: KeywayProcess;
  let c: KeywayProcess;

  before(async () => {
    echo = await startEcho('propagation');
    cl = await clusterEnv('keyprop');
    a = await cl.start({ env: { KEYWAY_POLL_INTERVAL_MS: '60000' } });
    b = await cl.start({ env: { KEYWAY_POLL_INTERVAL_MS: '60000' } });
    c = await cl.start({ env: { KEYWAY_POLL_INTERVAL_MS: '250', KEYWAY_REDIS_URL: '' } });
    await keyedRoute(a, echo);
    for (const n of [b, c])
      await within(DEADLINE_MS, async () => (await proxyStatus(`${n.proxyUrl}/secure/x`)) === 401);
  });
  after(async () => {
    await cl?.close();
    await echo?.close();
  });

  it('a key issued on A is served by B (change event) and C (change feed)', async (t) => {
    const issued = await admin(a, 'POST', '/apps/dash/keys', {});
    const headers = { apikey: issued['key'] as string };
    const [onB, onC] = await Promise.all(
      [b, c].map((n) =>
        within(DEADLINE_MS, async () => (await proxyStatus(`${n.proxyUrl}/secure/x`, headers)) === 200),
      ),
    );
    t.diagnostic(`new key on A: served by B after ${onB.toFixed(0)} ms, by C after ${onC.toFixed(0)} ms`);
    assert.ok(Number.isFinite(onB), 'B never served the new key');
    assert.ok(Number.isFinite(onC), 'C never served the new key');
  });

  it('the key a rotation on A issues is served by C, which only reads the change feed', async (t) => {
    const issued = await admin(a, 'POST', '/apps/dash/keys', {});
    const id = (issued['record'] as { id: string }).id;
    const rotated = await admin(a, 'POST', `/keys/${id}/rotate`, { grace_period_s: 60 });
    const headers = { apikey: rotated['key'] as string };
    const onC = await within(
      DEADLINE_MS,
      async () => (await proxyStatus(`${c.proxyUrl}/secure/x`, headers)) === 200,
    );
    t.diagnostic(`rotated key on A: served by C after ${onC.toFixed(0)} ms`);
    assert.ok(Number.isFinite(onC), 'C never served the rotated key');
  });
});

describe('a new key reaches every worker of keyway start --workers 2', { timeout: 60_000 }, () => {
  let echo: TestServer;
  let kw: KeywayProcess;

  before(async () => {
    echo = await startEcho('workers-keys');
    kw = await startKeyway({ args: ['--workers', '2'], env: { KEYWAY_POLL_INTERVAL_MS: '60000' } });
    await keyedRoute(kw, echo);
  });
  after(async () => {
    await kw?.stop();
    await echo?.close();
  });

  it('a key issued through one worker is served on fresh connections to both', async (t) => {
    const issued = await admin(kw, 'POST', '/apps/dash/keys', {});
    const headers = { apikey: issued['key'] as string };
    // Ten fresh connections in a row all served: node:cluster spreads them over both workers.
    const took = await within(DEADLINE_MS, async () => {
      for (let i = 0; i < 10; i++) {
        const res = await request(`${kw.proxyUrl}/secure/x`, { headers, reset: true });
        await res.body.dump();
        if (res.statusCode !== 200) return false;
      }
      return true;
    });
    t.diagnostic(`new key through one worker: served by both after ${took.toFixed(0)} ms`);
    assert.ok(Number.isFinite(took), 'not every worker served the new key');
  });
});
