/**
 * A real Keyway process under the connections an attacker holds: 2,000 idle connections (from 127.0.0.2-5)
 * and 50 requests whose body stalled after 10 of 1,000 bytes (127.0.0.9), while a client on 127.0.0.1 sends
 * 20 requests, each on a new connection. Once with the open-file limit at 1,024 (the limit the flood used
 * to exhaust: 20 of 20 legitimate requests failed), once with room to hold the whole flood.
 * What the gateway held is read from /proc and reported as diagnostics.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { startServer, type TestServer } from '../helpers/upstream.js';
import { startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';

const IDLE = 2000;
const STALLED = 50;
const LEGIT = 20;

async function eventually(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`still not true after ${ms} ms: ${what}`);
    await sleep(25);
  }
}

interface Conn {
  sock: net.Socket;
  out: string;
  closed: boolean;
}

function open(port: number, from: string, text?: string): Promise<Conn> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress: from });
    sock.setEncoding('latin1');
    const c: Conn = { sock, out: '', closed: false };
    sock.on('data', (d: string) => (c.out += d));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      c.closed = true;
      resolve(c);
    });
    sock.on('connect', () => {
      if (text !== undefined) sock.write(text);
      resolve(c);
    });
  });
}

/** One request on a new connection; resolves with the status line (or the error). */
async function legitRequest(port: number): Promise<string> {
  const c = await open(port, '127.0.0.1', 'GET /api/legit HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  await eventually(() => c.closed, 'the legitimate request finished', 60_000);
  return c.out.split('\r\n')[0] ?? '';
}

describe('hostile clients against a real node', { timeout: 600_000 }, () => {
  let up: TestServer;
  /** Upstream connections open now. */
  let upstreamOpen = 0;

  before(async () => {
    up = await startServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    up.server.on('connection', (s: net.Socket) => {
      upstreamOpen++;
      s.on('close', () => upstreamOpen--);
    });
  });
  after(async () => {
    await up.close();
  });

  async function scenario(t: TestContext, fdLimit: number | undefined): Promise<void> {
    const kw: KeywayProcess = await startKeyway({
      ...(fdLimit === undefined ? {} : { fdLimit }),
      // Deadlines long enough that the flood is still there when the legitimate client comes: this is
      // about holding connections, not timing them out (test/proxy/client-timeouts.test.ts does that).
      env: { KEYWAY_HEADER_TIMEOUT_MS: '120000', KEYWAY_BODY_TIMEOUT_MS: '120000' },
    });
    const conns: Conn[] = [];
    try {
      const auth = { authorization: `Bearer ${kw.token}`, 'content-type': 'application/json' };
      await request(`${kw.adminUrl}/services`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: 'api', url: `http://${up.address}` }),
      });
      const r = await request(`${kw.adminUrl}/routes`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: 'api', service: 'api', paths: ['/api'] }),
      });
      assert.equal(r.statusCode, 201);
      const port = Number(new URL(kw.proxyUrl).port);
      const fds = (): number => readdirSync(`/proc/${kw.child.pid}/fd`).length;
      const before = upstreamOpen;

      const stalled = await Promise.all(
        Array.from({ length: STALLED }, () =>
          open(
            port,
            '127.0.0.9',
            'POST /api/upload HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n0123456789',
          ),
        ),
      );
      conns.push(...stalled);
      await eventually(() => upstreamOpen - before === STALLED, 'the stalled requests reached the upstream');
      // Spread over four addresses, 500 each: under the default per-address cap, as a distributed flood is.
      for (let i = 0; i < IDLE; i += 100) {
        const from = `127.0.0.${2 + Math.floor(i / 500)}`;
        conns.push(...(await Promise.all(Array.from({ length: 100 }, () => open(port, from)))));
      }
      await sleep(500);
      const idle = conns.slice(STALLED);
      const held = (): number => idle.filter((c) => !c.closed).length;
      t.diagnostic(
        `fd limit ${fdLimit ?? 'as inherited'}: ${IDLE} idle and ${STALLED} stalled opened; the gateway holds ` +
          `${fds()} descriptors, ${held()} idle client connections still open, ${upstreamOpen - before} ` +
          `upstream connections for the stalled requests`,
      );

      const statuses: string[] = [];
      for (let i = 0; i < LEGIT; i++) statuses.push(await legitRequest(port));
      const served = statuses.filter((s) => s.startsWith('HTTP/1.1 200')).length;
      t.diagnostic(`legitimate requests served: ${served} of ${LEGIT}`);
      assert.equal(served, LEGIT, `legitimate requests answered: ${statuses.join(' | ')}`);
      assert.ok(
        stalled.every((c) => c.out === ''),
        'the stalled requests are still pending: they were there all along',
      );
      t.diagnostic(`after them: ${held()} idle client connections open, ${fds()} descriptors in the gateway`);
      if (fdLimit === undefined)
        assert.equal(held(), IDLE, 'with descriptors to spare the flood is held, not shed');
    } finally {
      for (const c of conns) c.sock.destroy();
      await kw.stop();
    }
  }

  it('serves a legitimate client at an open-file limit of 1,024 by shedding the oldest idle connections', async (t) => {
    await scenario(t, 1024);
  });

  it('serves a legitimate client while holding all 2,000 idle and 50 stalled connections', async (t) => {
    await scenario(t, undefined);
  });
});
