/**
 * Upstreams that answer badly: responses that are not HTTP, and keep-alive connections the upstream closed
 * just as the gateway reused them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { request } from 'undici';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';

/** A raw TCP upstream: `answer(n, socket)` is called for the n-th request (from 1) read on each connection. */
async function rawUpstream(
  answer: (n: number, socket: net.Socket, head: string) => void,
): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let n = 0;
    let buffered = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) !== -1) {
        const head = buffered.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.slice(end + 4 + length);
        answer(++n, socket, head);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const OK = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok';

describe('upstream failures', () => {
  const upstreams: Array<Awaited<ReturnType<typeof rawUpstream>>> = [];
  let gw: TestGateway;
  let stale: Awaited<ReturnType<typeof rawUpstream>>;

  before(async () => {
    const bad: Record<string, string> = {
      garbage: 'garbage\r\n\r\n',
      status: 'HTTP/1.1 2OO OK\r\ncontent-length: 0\r\n\r\n',
      'bare-cr': 'HTTP/1.1 200 OK\r\nx-a: a\rb\r\ncontent-length: 0\r\n\r\n',
      oversized: `HTTP/1.1 200 OK\r\nx-a: ${'a'.repeat(70_000)}\r\ncontent-length: 0\r\n\r\n`,
    };
    const services = [];
    const routes = [];
    for (const [name, text] of Object.entries(bad)) {
      const u = await rawUpstream((_n, socket) => socket.end(text));
      upstreams.push(u);
      services.push({ name, url: `http://127.0.0.1:${u.port}` });
      routes.push({ name, service: name, paths: [`/${name}`] });
    }
    // Answers the first request of every connection, and closes the connection when a second one comes:
    // the race of an upstream closing an idle keep-alive connection just as the gateway reuses it.
    stale = await rawUpstream((n, socket) => {
      if (n === 1) socket.write(OK);
      else socket.destroy();
    });
    upstreams.push(stale);
    services.push({ name: 'stale', url: `http://127.0.0.1:${stale.port}` });
    routes.push({ name: 'stale', service: 'stale', paths: ['/stale'] });
    gw = await startGateway(state({ services, routes }));
  });
  after(async () => {
    await gw.close();
    for (const u of upstreams) await u.close();
  });

  it('answers 502 KW_ERR_UPSTREAM_BAD_RESPONSE to a response that is not HTTP', async () => {
    for (const name of ['garbage', 'status', 'bare-cr', 'oversized']) {
      const res = await request(`${gw.url}/${name}`);
      const body = (await res.body.json()) as { error: { code: string } };
      assert.equal(res.statusCode, 502, name);
      assert.equal(body.error.code, 'KW_ERR_UPSTREAM_BAD_RESPONSE', name);
    }
  });

  it('retries an idempotent request once on a fresh connection when a reused one was closed', async () => {
    const before = stale.connections();
    const first = await request(`${gw.url}/stale/a`);
    assert.equal(first.statusCode, 200);
    await first.body.text();
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE'] as const) {
      const res = await request(`${gw.url}/stale/b`, { method });
      await res.body.text();
      assert.equal(res.statusCode, 200, `${method} lost on a reused connection is tried again`);
    }
    assert.equal(stale.connections() - before, 5, 'each retry went over a new connection');
  });

  it('does not retry a POST: the upstream may have acted on it', async () => {
    const first = await request(`${gw.url}/stale/a`);
    await first.body.text();
    const res = await request(`${gw.url}/stale/b`, { method: 'POST', body: 'x' });
    const body = (await res.body.json()) as { error: { code: string } };
    assert.equal(res.statusCode, 502);
    assert.equal(body.error.code, 'KW_ERR_UPSTREAM_UNAVAILABLE');
  });
});
