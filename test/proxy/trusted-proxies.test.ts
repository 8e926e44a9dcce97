import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { clientAddress, setForwardedHeaders, TrustedProxies } from '../../src/proxy/headers.js';
import { startEcho, type Echo, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';

describe('trusted proxies', () => {
  let echo: TestServer;
  let gw: TestGateway;

  before(async () => {
    echo = await startEcho();
    gw = await startGateway(
      state({
        services: [{ name: 's', url: `http://${echo.address}` }],
        routes: [{ name: 's', service: 's', paths: ['/'] }],
      }),
      { trusted: ['127.0.0.0/8'] },
    );
  });
  after(async () => {
    await gw.close();
    await echo.close();
  });

  it('extends the forwarding chain of a trusted peer', async () => {
    const res = await request(`${gw.url}/x`, {
      headers: {
        'x-forwarded-for': '203.0.113.7',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'api.example.com',
        forwarded: 'for=203.0.113.7;proto=https',
      },
    });
    const e = (await res.body.json()) as Echo;
    assert.equal(e.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
    assert.equal(e.headers['x-forwarded-proto'], 'https');
    assert.equal(e.headers['x-forwarded-host'], 'api.example.com');
    assert.match(
      String(e.headers['forwarded']),
      /^for=203\.0\.113\.7;proto=https, for=127\.0\.0\.1;proto=http/,
    );
  });

  it('takes the right-most untrusted address as the client', () => {
    const trusted = new TrustedProxies(['10.0.0.0/8', '127.0.0.1']);
    assert.equal(clientAddress('127.0.0.1', '198.51.100.1, 203.0.113.9, 10.1.2.3', trusted), '203.0.113.9');
    assert.equal(
      clientAddress('192.0.2.5', '198.51.100.1', trusted),
      '192.0.2.5',
      'an untrusted peer cannot claim another address',
    );
    assert.equal(clientAddress('127.0.0.1', 'not-an-ip', trusted), '127.0.0.1');
    assert.equal(
      clientAddress('::ffff:127.0.0.1', '198.51.100.1', trusted),
      '198.51.100.1',
      'IPv4-mapped peers are matched',
    );
    assert.throws(() => new TrustedProxies(['example.com']));
  });

  it('quotes each Host in Forwarded by its own value, whatever came just before', () => {
    const forwarded = (host: string): unknown => {
      const out: Record<string, string | string[] | undefined> = {};
      setForwardedHeaders(out, { host }, '192.0.2.1', 'http', false);
      return out['forwarded'];
    };
    for (let i = 0; i < 2; i++) {
      assert.equal(forwarded('api.example.com'), 'for=192.0.2.1;proto=http;host=api.example.com');
      assert.equal(forwarded('api.example.com:8443'), 'for=192.0.2.1;proto=http;host="api.example.com:8443"');
      assert.equal(forwarded('a"b'), 'for=192.0.2.1;proto=http;host="a\\"b"');
    }
  });
});
