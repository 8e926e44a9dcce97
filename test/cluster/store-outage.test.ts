// PostgreSQL away, two ways, through a relay this test owns: gone (connections refused and broken) and
// black-holed (connections open, nothing flows). Either way the node keeps serving its snapshot, `/ready`
// says 503 on its own short deadline (whatever the store deadline), admin calls that need the store answer
// 503 KW_ERR_STORE_UNAVAILABLE (never 500), writes within the store deadline, and `/status` still answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startEcho, type TestServer } from '../helpers/upstream.js';
import type { KeywayProcess } from '../helpers/keyway-process.js';
import { admin, adminCall, clusterEnv, proxyStatus, within, type ClusterEnv } from './support/cluster-env.js';

/** /ready's status and how long it took; the client gives up only after 30 s (the store deadline of A is 60 s). */
async function ready(kw: KeywayProcess): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await request(`${kw.adminUrl}/ready`, { headersTimeout: 30_000, bodyTimeout: 30_000 });
  await res.body.dump();
  return { status: res.statusCode, ms: performance.now() - t0 };
}

function errorCode(json: Record<string, unknown>): string | undefined {
  return (json['error'] as { code?: string } | undefined)?.code;
}

describe('store outage: PostgreSQL gone or black-holed', { timeout: 240_000 }, () => {
  let cl: ClusterEnv;
  let echo: TestServer;
  /** Store deadline 60 s: /ready must not wait for it. */
  let slow: KeywayProcess;
  /** Store deadline 1.5 s: writes must fail within it. */
  let quick: KeywayProcess;

  before(async () => {
    echo = await startEcho('store-outage');
    cl = await clusterEnv('storeout');
    slow = await cl.start({ env: { KEYWAY_STORE_TIMEOUT_MS: '60000' } });
    quick = await cl.start({ env: { KEYWAY_STORE_TIMEOUT_MS: '1500' } });
    await admin(slow, 'POST', '/services', { name: 'svc', url: `http://${echo.address}` });
    await admin(slow, 'POST', '/routes', { name: 'base', service: 'svc', paths: ['/base'] });
    const served = async () => (await proxyStatus(`${quick.proxyUrl}/base/x`)) === 200;
    assert.ok((await within(5_000, served)) < 5_000);
  });
  after(async () => {
    if (process.env['KW_DEBUG'] === '1') console.log(slow.output(), '\n-----\n', quick.output());
    await cl?.close();
    await echo?.close();
  });

  it('gone: admin calls answer 503 KW_ERR_STORE_UNAVAILABLE, never 500; /status still answers', async () => {
    // A node whose token was never used: the first admin call has to ask the store.
    const fresh = await cl.start();
    await cl.pgRelay.cut();
    try {
      for (const [method, path] of [
        ['GET', '/services'],
        ['GET', '/audit-log'],
        ['POST', '/routes'],
      ] as const) {
        const body = method === 'POST' ? { name: 'x', service: 'svc', paths: ['/x'] } : undefined;
        const r = await adminCall(fresh, method, path, body);
        assert.equal(r.status, 503, `${method} ${path}: ${JSON.stringify(r.json)}`);
        assert.equal(errorCode(r.json), 'KW_ERR_STORE_UNAVAILABLE');
      }
      // The node checked its own admin token file at start: /status says what it knows.
      const st = await adminCall(fresh, 'GET', '/status');
      assert.equal(st.status, 200, JSON.stringify(st.json));
      assert.equal(st.json['store_reachable'], false);
      assert.equal(typeof st.json['config_version'], 'number');
      // A token the node cannot check is not refused as invalid (it may be valid): 503, not 401.
      const res = await request(`${fresh.adminUrl}/status`, {
        headers: { authorization: 'Bearer kwadm_not-a-token-this-node-has-seen' },
      });
      assert.equal(res.statusCode, 503);
      assert.equal(
        ((await res.body.json()) as { error: { code: string } }).error.code,
        'KW_ERR_STORE_UNAVAILABLE',
      );
      assert.equal(await proxyStatus(`${fresh.proxyUrl}/base/x`), 200);
      assert.doesNotMatch(fresh.output(), /KW_ERR_INTERNAL|kwtest-password/);
    } finally {
      await cl.pgRelay.restore();
    }
    const back = await within(15_000, async () => (await ready(fresh)).status === 200);
    assert.ok(back < 15_000, '/ready did not recover');
  });

  it('black-holed: /ready 503 on its own deadline, writes 503 within the store deadline, /status answers', async (t) => {
    // Both nodes have verified their token before the outage (the admin calls above, and /status now).
    assert.equal((await adminCall(quick, 'GET', '/status')).status, 200);
    cl.pgRelay.pause();
    try {
      const probes: number[] = [];
      for (const node of [slow, quick, slow, quick]) {
        const r = await ready(node);
        assert.equal(r.status, 503);
        probes.push(r.ms);
      }
      t.diagnostic(
        `/ready with PostgreSQL black-holed answered 503 in ${probes.map((ms) => ms.toFixed(0)).join(', ')} ms`,
      );

      const writes = await Promise.all(
        [1, 2, 3].map((i) =>
          adminCall(quick, 'POST', '/routes', {
            name: `blocked${i}`,
            service: 'svc',
            paths: [`/blocked${i}`],
          }),
        ),
      );
      for (const w of writes) {
        assert.equal(w.status, 503, JSON.stringify(w.json));
        assert.equal(errorCode(w.json), 'KW_ERR_STORE_UNAVAILABLE');
      }
      const st = await adminCall(slow, 'GET', '/status');
      assert.equal(st.status, 200, JSON.stringify(st.json));
      assert.equal(st.json['store_reachable'], false);
      assert.equal(await proxyStatus(`${slow.proxyUrl}/base/x`), 200);
      assert.equal(await proxyStatus(`${quick.proxyUrl}/base/x`), 200);
    } finally {
      cl.pgRelay.resume();
    }
    const back = await within(
      20_000,
      async () => (await ready(slow)).status === 200 && (await ready(quick)).status === 200,
    );
    assert.ok(back < 20_000, '/ready did not recover');
    await admin(quick, 'POST', '/routes', { name: 'after', service: 'svc', paths: ['/after'] });
    const st = await adminCall(quick, 'GET', '/status');
    assert.equal(st.json['store_reachable'], true);
    assert.doesNotMatch(slow.output() + quick.output(), /KW_ERR_INTERNAL|kwtest-password/);
  });
});
