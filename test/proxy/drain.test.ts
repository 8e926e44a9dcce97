/**
 * A graceful shutdown (SIGTERM → ProxyServer.drain) with keep-alive clients: answers in flight tell the
 * client the connection closes after them, and a connection is closed only when idle — never under a client
 * that is sending its next request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerResponse } from 'node:http';
import { startServer, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';

async function eventually(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`still not true after ${ms} ms: ${what}`);
    await sleep(10);
  }
}

/** A keep-alive client on a raw socket that reads whole responses (Content-Length bodies). */
class KeepAliveClient {
  readonly sock: net.Socket;
  private buf = '';
  readonly responses: Array<{ status: number; headers: string; body: string }> = [];
  closed = false;
  error: string | undefined;
  private waiter: (() => void) | undefined;

  constructor(port: number) {
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.setEncoding('latin1');
    this.sock.on('data', (d: string) => {
      this.buf += d;
      this.parse();
    });
    this.sock.on('error', (e: Error & { code?: string }) => (this.error = e.code ?? e.message));
    this.sock.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
  }

  private parse(): void {
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = this.buf.slice(0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.buf.length < end + 4 + length) return;
      this.responses.push({
        status: Number(head.slice(9, 12)),
        headers: head.toLowerCase(),
        body: this.buf.slice(end + 4, end + 4 + length),
      });
      this.buf = this.buf.slice(end + 4 + length);
      this.waiter?.();
    }
  }

  /** Sends a request and resolves with its response, or undefined if the connection closed first. */
  async get(path: string): Promise<{ status: number; headers: string; body: string } | undefined> {
    const n = this.responses.length;
    this.sock.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
    while (this.responses.length === n && !this.closed)
      await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.responses[n];
  }
}

describe('draining keep-alive connections', () => {
  let upstream: TestServer;
  let gw: TestGateway;
  const held: ServerResponse[] = [];

  before(async () => {
    upstream = await startServer((req, res) => {
      if (req.url === '/hang') held.push(res);
      else res.end('ok');
    });
  });
  after(async () => {
    await upstream.close();
  });

  async function gateway(): Promise<TestGateway> {
    return startGateway(
      state({
        services: [{ name: 'up', url: `http://${upstream.address}` }],
        routes: [{ name: 'up', service: 'up', paths: ['/'] }],
      }),
    );
  }

  it('answers a request in flight with Connection: close, and closes the connection after it', async () => {
    gw = await gateway();
    const c = new KeepAliveClient(gw.port);
    const first = await c.get('/fast');
    assert.equal(first?.status, 200);
    assert.doesNotMatch(first?.headers ?? '', /connection: close/, 'keep-alive before the drain');
    const pending = c.get('/hang');
    await eventually(() => held.length === 1, 'the request reached the upstream');
    const drained = gw.proxy.drain(10_000);
    held.shift()?.end('late');
    const last = await pending;
    assert.equal(last?.status, 200);
    assert.equal(last?.body, 'late');
    assert.match(
      last?.headers ?? '',
      /\r\nconnection: close/,
      'the client is told not to reuse the connection',
    );
    await eventually(() => c.closed, 'the connection is closed after the answer');
    assert.equal(c.error, undefined);
    await drained;
    await gw.close();
  });

  it('never resets a client that reuses its connection while the node drains', async () => {
    gw = await gateway();
    const clients = Array.from({ length: 10 }, () => new KeepAliveClient(gw.port));
    let draining = false;
    const lost: string[] = [];
    const loops = clients.map(async (c, i) => {
      for (let n = 0; ; n++) {
        const r = await c.get(`/fast?c=${i}&n=${n}`);
        if (r === undefined) {
          lost.push(`client ${i}: request ${n} got no answer (${c.error ?? 'closed'})`);
          return;
        }
        assert.equal(r.status, 200);
        if (/\r\nconnection: close/.test(r.headers)) return;
        // Some clients think between requests; the others send the next one at once.
        if (i % 2 === 1) await sleep(draining ? 30 : 5);
      }
    });
    await eventually(() => clients.every((c) => c.responses.length >= 3), 'every client is busy');
    draining = true;
    const drained = gw.proxy.drain(10_000);
    await Promise.all(loops);
    await drained;
    assert.deepEqual(lost, [], 'every request sent got an answer');
    await eventually(() => clients.every((c) => c.closed), 'every connection was closed');
    await gw.close();
  });

  it('closes a connection that stays idle, and then the drain ends', async () => {
    gw = await gateway();
    const c = new KeepAliveClient(gw.port);
    assert.equal((await c.get('/fast'))?.status, 200);
    await gw.proxy.drain(30_000);
    await eventually(() => c.closed, 'the idle connection was closed');
    await gw.close();
  });
});
