// Faults, for real: two nodes reach PostgreSQL and Redis through relays this test owns, and the test cuts
// them. Redis away → traffic flows, changes resync when it returns, events flow again. PostgreSQL away →
// the last snapshot serves, /ready says 503, admin writes answer 503 KW_ERR_STORE_UNAVAILABLE; back → ready.
// The store poll is 60 s here, so recovery within the bounds below is the event path's doing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startEcho, type TestServer } from '../helpers/upstream.js';
import type { KeywayProcess } from '../helpers/keyway-process.js';
import {
  admin,
  adminCall,
  clusterEnv,
  EVENT_BOUND_MS,
  proxyStatus,
  within,
  type ClusterEnv,
} from './support/cluster-env.js';

async function ready(kw: KeywayProcess): Promise<number> {
  const res = await request(`${kw.adminUrl}/ready`);
  await res.body.dump();
  return res.statusCode;
}

describe('faults: Redis and PostgreSQL connections cut', { timeout: 120_000 }, () => {
  let cl: ClusterEnv;
  let echo: TestServer;
  let a: KeywayProcess;
  let b: KeywayProcess;
  const served = (n: KeywayProcess, path: string) => async () =>
    (await proxyStatus(`${n.proxyUrl}${path}/x`)) === 200;
  const route = async (name: string) => {
    await admin(a, 'POST', '/routes', { name, service: 'svc', paths: [`/${name}`] });
  };

  before(async () => {
    echo = await startEcho('faults');
    cl = await clusterEnv('faults');
    const env = { KEYWAY_POLL_INTERVAL_MS: '60000' };
    a = await cl.start({ env });
    b = await cl.start({ env });
    await admin(a, 'POST', '/services', { name: 'svc', url: `http://${echo.address}` });
    await route('base');
    assert.ok((await within(EVENT_BOUND_MS, served(b, '/base'))) < EVENT_BOUND_MS);
  });
  after(async () => {
    // KW_DEBUG=1 prints both nodes' output (how the pg client crash was found).
    if (process.env['KW_DEBUG'] === '1') console.log(a.output(), '\n-----\n', b.output());
    await cl?.close();
    await echo?.close();
  });

  it('Redis down: traffic flows; back: missed changes resync and events flow again', async () => {
    await cl.redisRelay.cut();
    for (let i = 0; i < 20; i++) {
      assert.equal(await proxyStatus(`${a.proxyUrl}/base/x`), 200);
      assert.equal(await proxyStatus(`${b.proxyUrl}/base/x`), 200);
    }
    // A change during the outage: A serves it at once (its own refresh); B cannot hear of it yet.
    await route('during');
    assert.ok((await within(EVENT_BOUND_MS, served(a, '/during'))) < EVENT_BOUND_MS);
    assert.equal(await proxyStatus(`${b.proxyUrl}/during/x`), 404);

    await cl.redisRelay.restore();
    // Reconnect backoff is capped at 1 s; then B compares config versions and reloads.
    const resynced = await within(EVENT_BOUND_MS, served(b, '/during'));
    assert.ok(resynced < EVENT_BOUND_MS, 'B did not resync after Redis returned');
    // And the event path is live again: a new change reaches B by an event (the poll is 60 s).
    await route('after');
    const took = await within(EVENT_BOUND_MS, served(b, '/after'));
    assert.ok(took < EVENT_BOUND_MS, `took ${took} ms`);
    assert.doesNotMatch(a.output() + b.output(), /kwtest-password/);
  });

  it('PostgreSQL down: last snapshot serves, not ready, writes 503; back: ready and writable', async () => {
    await cl.pgRelay.cut();
    const notReady = await within(5_000, async () => (await ready(a)) === 503 && (await ready(b)) === 503);
    assert.ok(notReady < 5_000, '/ready kept answering 200 without the store');
    for (let i = 0; i < 20; i++) {
      assert.equal(await proxyStatus(`${a.proxyUrl}/base/x`), 200);
      assert.equal(await proxyStatus(`${b.proxyUrl}/during/x`), 200);
    }
    const write = await adminCall(a, 'POST', '/routes', {
      name: 'blocked',
      service: 'svc',
      paths: ['/blocked'],
    });
    assert.equal(write.status, 503, JSON.stringify(write.json));
    assert.equal((write.json['error'] as { code: string }).code, 'KW_ERR_STORE_UNAVAILABLE');
    assert.equal(await proxyStatus(`${a.proxyUrl}/base/x`), 200);

    await cl.pgRelay.restore();
    const back = await within(10_000, async () => (await ready(a)) === 200 && (await ready(b)) === 200);
    assert.ok(back < 10_000, '/ready did not recover');
    await route('recovered');
    assert.ok((await within(EVENT_BOUND_MS, served(b, '/recovered'))) < EVENT_BOUND_MS);
  });
});
