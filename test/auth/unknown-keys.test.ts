/**
 * Issue 19.5 with a real `keyway start`: one client IP sprays random (checksum-valid) keys, as a scanner or
 * a client behind a NAT shared with one would. The IP is penalised for its bad keys, but a valid key from
 * the same IP is always served: one issued a moment ago, and one the node has never seen since a restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { generateKey } from '../../src/keys/key-format.js';
import { startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';

const SPRAY = 90;

describe('unknown keys never lock out a valid one', () => {
  let echo: TestServer;
  let kw: KeywayProcess;

  const admin = async (method: 'POST', path: string, body: unknown) => {
    const res = await request(`${kw.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${kw.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.body.json()) as Record<string, unknown>;
    assert.ok(res.statusCode < 300, `${method} ${path} → ${res.statusCode} ${JSON.stringify(json)}`);
    return json;
  };
  const status = async (key?: string): Promise<number> => {
    const res = await request(`${kw.proxyUrl}/weather/today`, {
      headers: key === undefined ? {} : { apikey: key },
    });
    await res.body.dump();
    return res.statusCode;
  };
  /**
   * Sends random keys one after the other until stopped (a scanner, or a client behind the same NAT),
   * so the IP stays over its budget while the test uses a valid key beside it.
   */
  const sprayer = () => {
    const seen: number[] = [];
    let stop = false;
    const done = (async () => {
      while (!stop) seen.push(await status(generateKey('live')));
    })();
    return {
      seen,
      overBudget: async () => {
        const deadline = Date.now() + 20_000;
        while (!seen.includes(429) && Date.now() < deadline) await sleep(20);
        return seen.includes(429);
      },
      stop: async () => {
        stop = true;
        await done;
      },
    };
  };
  const issue = async (): Promise<string> =>
    (await admin('POST', '/apps/acme-dashboard/keys', {}))['key'] as string;
  const routeReady = async () => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await status()) !== 401) await sleep(50);
  };

  before(async () => {
    echo = await startEcho('weather');
    kw = await startKeyway();
    await admin('POST', '/services', { name: 'weather', url: `http://${echo.address}` });
    await admin('POST', '/routes', { name: 'weather', service: 'weather', paths: ['/weather'] });
    // A small budget, so that even a slow machine sprays faster than it refills.
    await admin('POST', '/plugins', {
      name: 'key-auth',
      route: 'weather',
      config: { unknown_keys_per_ip: { per_second: 1, burst: 5 } },
    });
    await admin('POST', '/consumers', { username: 'acme' });
    await admin('POST', '/apps', { name: 'acme-dashboard', consumer: 'acme' });
    await routeReady();
  });
  after(async () => {
    await kw.stop();
    await echo.close();
  });

  it(`serves a valid key while ${SPRAY}+ random keys from the same IP are refused`, async () => {
    const key = await issue();
    const spray = sprayer();
    try {
      assert.ok(await spray.overBudget(), `the IP went over its bad-key budget: ${spray.seen.join()}`);
      while (spray.seen.length < SPRAY) await sleep(20);
      for (let i = 0; i < 5; i++) assert.equal(await status(key), 200, 'a valid key is never refused');
      const fresh = await issue();
      assert.equal(await status(fresh), 200, 'nor one issued a moment ago');
    } finally {
      await spray.stop();
    }
    assert.ok(
      spray.seen.every((s) => s === 401 || s === 429),
      spray.seen.join(),
    );
  });

  it('serves a key the node has not seen since a restart while the IP sprays random keys', async () => {
    const unseen = await issue();
    await kw.stop();
    kw = await startKeyway({ dataDir: kw.dataDir });
    await routeReady();
    const spray = sprayer();
    try {
      assert.ok(await spray.overBudget(), spray.seen.join());
      assert.equal(await status(unseen), 200);
    } finally {
      await spray.stop();
    }
  });
});
