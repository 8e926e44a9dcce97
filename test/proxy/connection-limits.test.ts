/**
 * Connection caps: a client address that holds many connections loses its oldest idle ones, not the service;
 * when every connection over a cap is busy the newcomer is the one closed. Clients connect from different
 * loopback addresses (127.0.0.2, .3…), which Linux routes like 127.0.0.1.
 */
import { afterEach, after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerResponse } from 'node:http';
import { startServer, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { addressKey } from '../../src/proxy/connections.js';
import { defaultMaxConnections } from '../../src/proxy/fd-limit.js';

async function eventually(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`still not true after ${ms} ms: ${what}`);
    await sleep(10);
  }
}

interface Client {
  sock: net.Socket;
  out: string;
  closed: boolean;
}

const clients: Client[] = [];

function connect(port: number, from: string, request?: string): Client {
  const sock = net.connect({ port, host: '127.0.0.1', localAddress: from });
  sock.setEncoding('latin1');
  const c: Client = { sock, out: '', closed: false };
  sock.on('data', (d: string) => (c.out += d));
  sock.on('error', () => undefined);
  sock.on('close', () => (c.closed = true));
  if (request !== undefined) sock.write(request);
  clients.push(c);
  return c;
}

describe('connection caps', () => {
  let upstream: TestServer;
  let gw: TestGateway;
  const held: ServerResponse[] = [];
  const size = (): number => gw.proxy.connections.size;

  before(async () => {
    upstream = await startServer((req, res) => {
      if (req.url === '/hang') held.push(res);
      else res.end('ok');
    });
    gw = await startGateway(
      state({
        services: [{ name: 'up', url: `http://${upstream.address}` }],
        routes: [{ name: 'up', service: 'up', paths: ['/'] }],
      }),
      { clients: { maxConnections: 12, maxConnectionsPerIp: 4, headerTimeoutMs: 60_000 } },
    );
  });
  afterEach(async () => {
    for (const r of held.splice(0)) r.end('released');
    for (const c of clients.splice(0)) c.sock.destroy();
    await eventually(() => size() === 0, 'every connection of the test is gone');
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('closes the oldest idle connection of an address that reached its cap', async () => {
    const idle = [1, 2, 3, 4].map(() => connect(gw.port, '127.0.0.2'));
    await eventually(() => size() === 4, 'four idle connections held');
    const fifth = connect(gw.port, '127.0.0.2', 'GET /x HTTP/1.1\r\nhost: x\r\n\r\n');
    await eventually(() => /\r\n\r\nok$/.test(fifth.out), 'the newcomer is served');
    assert.equal(idle[0]?.closed, true, 'the oldest idle connection made room');
    assert.deepEqual(
      idle.slice(1).map((c) => c.closed),
      [false, false, false],
      'the others are kept',
    );
  });

  it('refuses a newcomer when every connection of its address is busy', async () => {
    const busy = [1, 2, 3, 4].map(() =>
      connect(gw.port, '127.0.0.3', 'GET /hang HTTP/1.1\r\nhost: x\r\n\r\n'),
    );
    await eventually(() => held.length === 4, 'four requests in flight');
    const fifth = connect(gw.port, '127.0.0.3', 'GET /x HTTP/1.1\r\nhost: x\r\n\r\n');
    await eventually(() => fifth.closed, 'the newcomer is closed');
    assert.equal(fifth.out, '');
    // Another address is not concerned.
    const other = connect(gw.port, '127.0.0.4', 'GET /x HTTP/1.1\r\nhost: x\r\n\r\n');
    await eventually(() => /\r\n\r\nok$/.test(other.out), 'another address is served');
    for (const r of held.splice(0)) r.end('released');
    await eventually(() => busy.every((c) => c.out.endsWith('released')), 'the busy requests finish');
  });

  it('serves a client while the node is full of idle connections, by closing the oldest', async () => {
    const flood: Client[] = [];
    for (const from of ['127.0.0.5', '127.0.0.6', '127.0.0.7']) {
      for (let i = 0; i < 4; i++) {
        flood.push(connect(gw.port, from));
        await eventually(() => size() === flood.length, 'the flood connection is held');
      }
    }
    const legit = connect(gw.port, '127.0.0.1', 'GET /x HTTP/1.1\r\nhost: x\r\n\r\n');
    await eventually(() => /\r\n\r\nok$/.test(legit.out), 'the legitimate client is served');
    assert.equal(flood[0]?.closed, true, 'the oldest idle connection made room');
    assert.equal(size(), 12);
  });

  it('counts IPv6 clients per /64 and IPv4-mapped ones as IPv4', () => {
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0DB8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(addressKey('10.1.2.3'), '10.1.2.3');
  });

  it('derives the default cap from the file-descriptor limit', () => {
    assert.equal(defaultMaxConnections(1024), 480);
    assert.equal(defaultMaxConnections(65_536), 32_736);
    assert.equal(defaultMaxConnections(100), 64);
  });
});
