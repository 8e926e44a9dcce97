import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { deadPort, startEcho, startServer, type Echo, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';

describe('upstreams and targets', () => {
  let a: TestServer;
  let b: TestServer;
  let gw: TestGateway;
  let dead: number;

  before(async () => {
    a = await startEcho('a');
    b = await startEcho('b');
    dead = await deadPort();
    gw = await startGateway(
      state({
        upstreams: [
          {
            name: 'pool',
            targets: [
              { target: a.address, weight: 3 },
              { target: b.address, weight: 1 },
            ],
          },
          { name: 'half-dead', targets: [{ target: `127.0.0.1:${dead}` }, { target: a.address }] },
          {
            name: 'least',
            algorithm: 'least-connections',
            targets: [{ target: a.address }, { target: b.address }],
          },
        ],
        services: [
          { name: 'pool', url: 'http://pool/api' },
          { name: 'half-dead', url: 'http://half-dead' },
          { name: 'least', url: 'http://least' },
        ],
        routes: [
          { name: 'pool', service: 'pool', paths: ['/pool'] },
          { name: 'half-dead', service: 'half-dead', paths: ['/hd'] },
          { name: 'least', service: 'least', paths: ['/least'] },
        ],
      }),
    );
  });
  after(async () => {
    await gw.close();
    await a.close();
    await b.close();
  });

  it('spreads requests by weight (smooth weighted round-robin)', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await request(`${gw.url}/pool/x`);
      const e = (await res.body.json()) as Echo;
      seen.push(e.server);
      assert.equal(e.url, '/api/x');
      assert.equal(e.headers.host, e.server === 'a' ? a.address : b.address, 'Host is the chosen target');
    }
    assert.deepEqual(seen.filter((s) => s === 'a').length, 6);
    assert.deepEqual(seen.filter((s) => s === 'b').length, 2);
  });

  it('retries a refused connection on another target', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await request(`${gw.url}/hd`);
      assert.equal(res.statusCode, 200);
      await res.body.dump();
    }
    assert.ok(gw.errors.some((e) => e.code === 'ECONNREFUSED' && e.target === `127.0.0.1:${dead}`));
  });

  it('least-connections avoids the busy target', async () => {
    let release: (() => void) | undefined;
    const slow = await startServer((_req, res) => {
      release = () => res.end('slow');
    });
    const fast = await startEcho('fast');
    gw.swap(
      state(
        {
          upstreams: [
            {
              name: 'least',
              algorithm: 'least-connections',
              targets: [{ target: slow.address }, { target: fast.address }],
            },
          ],
          services: [{ name: 'least', url: 'http://least' }],
          routes: [{ name: 'least', service: 'least', paths: ['/least'] }],
        },
        2,
      ),
    );
    const pending = request(`${gw.url}/least`);
    // Wait until the slow target holds the first request before sending the others.
    while (release === undefined) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 3; i++) {
      const res = await request(`${gw.url}/least`);
      assert.equal(((await res.body.json()) as Echo).server, 'fast');
    }
    release();
    assert.equal(await (await pending).body.text(), 'slow');
    await slow.close();
    await fast.close();
  });
});
