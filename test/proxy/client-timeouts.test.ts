/**
 * Clients that hold a connection by being slow: a body that stops or trickles, headers that never end, a
 * connection that never sends anything, a response that is never read. Short timeouts are configured and each
 * outcome is awaited with a generous deadline: nothing here measures how long anything took.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { KeywayError } from '../../src/core/errors.js';
import { loadSettings } from '../../src/server/settings.js';

/** Polls `check` until it holds; fails after `ms` (generous: the machine is loaded). */
async function eventually(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`still not true after ${ms} ms: ${what}`);
    await sleep(20);
  }
}

/** A raw client connection that keeps what the gateway sends and notes when it closes. */
function client(port: number, localAddress = '127.0.0.1') {
  const sock = net.connect({ port, host: '127.0.0.1', localAddress });
  sock.setEncoding('latin1');
  const c = { sock, out: '', closed: false };
  sock.on('data', (d: string) => (c.out += d));
  sock.on('error', () => undefined);
  sock.on('close', () => (c.closed = true));
  return c;
}

describe('slow clients', () => {
  let upstream: TestServer;
  let gw: TestGateway;
  /** Upstream connections open right now, and responses the upstream could not finish. */
  const open = new Set<net.Socket>();
  /**
   * Upstream requests begun and not yet over (ended or cut). A stalled client's request must leave this
   * set at once; its connection may stay open as an idle one of the pool (a request aborted while its
   * connection was still being made leaves that connection idle and reusable, closed after the pool's
   * keep-alive timeout), which holds nothing.
   */
  const busy = new Set<http.IncomingMessage>();
  let abortedDownloads = 0;

  before(async () => {
    upstream = await startServer((req, res) => {
      if (req.url === '/big') {
        // Far more than the socket buffers hold: a client that never reads leaves it unfinished.
        res.on('close', () => {
          if (!res.writableFinished) abortedDownloads++;
        });
        const chunk = Buffer.alloc(64 * 1024, 120);
        let left = 2000;
        const pump = (): void => {
          while (left > 0) {
            left--;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      busy.add(req);
      req.on('close', () => busy.delete(req));
      // Reads nothing for three body timeouts: the gateway then holds the client back, its own stall.
      if (req.url === '/slow-reader') setTimeout(() => req.resume(), 1200);
      else req.resume();
      req.on('end', () => res.end('done'));
    });
    upstream.server.on('connection', (s: net.Socket) => {
      open.add(s);
      s.on('close', () => open.delete(s));
    });
    gw = await startGateway(
      state({
        services: [{ name: 'up', url: `http://${upstream.address}` }],
        routes: [{ name: 'up', service: 'up', paths: ['/'] }],
      }),
      {
        clients: {
          headerTimeoutMs: 400,
          bodyTimeoutMs: 400,
          requestTimeoutMs: 2_000,
          sendTimeoutMs: 400,
        },
      },
    );
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('answers 408 to bodies that stall and releases their upstream connections', async () => {
    const stalled = Array.from({ length: 50 }, () => client(gw.port));
    for (const c of stalled)
      c.sock.write('POST /upload HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n0123456789');
    await eventually(() => open.size > 0, 'the stalled requests reached the upstream');
    await eventually(() => stalled.every((c) => c.out !== ''), 'every stalled request was answered');
    for (const c of stalled) {
      assert.match(c.out, /^HTTP\/1\.1 408 /);
      assert.match(c.out, /KW_ERR_REQUEST_TIMEOUT/);
      assert.match(c.out, /connection: close/i);
    }
    await eventually(() => stalled.every((c) => c.closed), 'the stalled connections were closed');
    await eventually(() => busy.size === 0, 'no upstream request is left to the stalled requests');
  });

  it('cuts a body that trickles in at the request deadline', async () => {
    const c = client(gw.port);
    c.sock.write('POST /upload HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\n');
    // One byte every 50 ms never leaves the body idle for long; 100 000 of them would take 83 minutes.
    const trickle = setInterval(() => {
      if (!c.sock.destroyed) c.sock.write('x');
    }, 50);
    try {
      await eventually(() => c.out !== '', 'the trickling request was answered');
    } finally {
      clearInterval(trickle);
    }
    assert.match(c.out, /^HTTP\/1\.1 408 /);
    assert.match(c.out, /proxy\.request_timeout_ms/);
  });

  it('closes a connection that sends nothing, and answers 408 to headers that never end', async () => {
    const silent = client(gw.port);
    const loris = client(gw.port);
    loris.sock.write('GET /x HTTP/1.1\r\nhost: x\r\n');
    const drip = setInterval(() => {
      if (!loris.sock.destroyed) loris.sock.write('x-a: 1\r\n');
    }, 50);
    try {
      await eventually(() => silent.closed && loris.closed, 'both connections were closed');
    } finally {
      clearInterval(drip);
    }
    assert.equal(silent.out, '', 'a connection that never sent a byte is closed without an answer');
    assert.match(loris.out, /^HTTP\/1\.1 408 /);
    assert.match(loris.out, /KW_ERR_REQUEST_TIMEOUT/);
  });

  it('cuts a client that stops reading its response, and the upstream download with it', async () => {
    const c = client(gw.port);
    c.sock.pause();
    c.sock.write('GET /big HTTP/1.1\r\nhost: x\r\n\r\n');
    await eventually(() => abortedDownloads === 1, 'the download was dropped upstream');
  });

  it('does not time out a body that waits for a slow upstream', async () => {
    const c = client(gw.port);
    const body = Buffer.alloc(4 * 1024 * 1024, 97);
    c.sock.write(`POST /slow-reader HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n`);
    c.sock.write(body);
    await eventually(() => c.out !== '', 'the upload was answered');
    assert.match(c.out, /^HTTP\/1\.1 200 /);
    c.sock.destroy();
  });

  it('still serves a client that keeps up', async () => {
    const c = client(gw.port);
    c.sock.write('POST /upload HTTP/1.1\r\nhost: x\r\ncontent-length: 20\r\n\r\n0123456789');
    await sleep(100);
    c.sock.write('0123456789');
    await eventually(() => /\r\n\r\ndone$/.test(c.out), 'the upload was answered');
    assert.match(c.out, /^HTTP\/1\.1 200 /);
    c.sock.destroy();
  });
});

describe('client timeout settings', () => {
  it('has the documented defaults and refuses a request deadline shorter than the header one', () => {
    const p = loadSettings({ env: {} }).proxy;
    assert.deepEqual(
      [p.header_timeout_ms, p.body_timeout_ms, p.request_timeout_ms, p.send_timeout_ms],
      [10_000, 60_000, 300_000, 60_000],
    );
    assert.deepEqual([p.max_connections, p.max_connections_per_ip], [0, 1000]);
    assert.throws(
      () => loadSettings({ env: { KEYWAY_HEADER_TIMEOUT_MS: '5000', KEYWAY_REQUEST_TIMEOUT_MS: '1000' } }),
      (err: unknown) => err instanceof KeywayError && /proxy\.request_timeout_ms/.test(err.message),
    );
    assert.equal(
      loadSettings({ env: { KEYWAY_REQUEST_TIMEOUT_MS: '0', KEYWAY_BODY_TIMEOUT_MS: '0' } }).proxy
        .request_timeout_ms,
      0,
      '0 turns a deadline off',
    );
  });
});
