/**
 * What the HTTP parser and the request checks refuse before anything goes upstream: oversized header blocks
 * however the client's TCP segments fall, duplicate Host fields, encoded path separators.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { startEcho, type Echo, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';
import { AuthReasons } from '../../src/observe/auth-reasons.js';
import { CallObserver } from '../../src/observe/call-observer.js';
import { RecordsById } from '../observe/records-by-id.js';

/**
 * Sends `parts` as separate TCP segments (Nagle off, a pause between writes so each is read on its own)
 * and stops sending once the gateway answers. Resolves with everything the gateway sent.
 */
async function segmented(port: number, parts: string[]): Promise<string> {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  sock.setEncoding('latin1');
  let out = '';
  let answered = false;
  const closed = new Promise<void>((resolve) => {
    sock.on('data', (c: string) => {
      out += c;
      answered = true;
    });
    sock.on('error', () => resolve());
    sock.on('close', () => resolve());
  });
  await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
  for (const p of parts) {
    if (answered || sock.destroyed) break;
    sock.write(p);
    await sleep(15);
  }
  await closed;
  return out;
}

/** One request on a fresh connection (ask for `connection: close`); resolves with all the gateway sent. */
async function rawRequest(port: number, text: string): Promise<string> {
  const sock = net.connect(port, '127.0.0.1');
  sock.write(text);
  let out = '';
  sock.setEncoding('latin1');
  for await (const chunk of sock) out += chunk as string;
  return out;
}

describe('HTTP parsing', () => {
  let echo: TestServer;
  let gw: TestGateway;
  const records = new RecordsById();
  const reasons = new AuthReasons();
  const logged: Array<Record<string, unknown>> = [];

  before(async () => {
    echo = await startEcho();
    gw = await startGateway(
      state({
        services: [
          { name: 'echo', url: `http://${echo.address}` },
          { name: 'pub', url: `http://${echo.address}/pub` },
        ],
        routes: [
          { name: 'echo', service: 'echo', paths: ['/echo'] },
          { name: 'public', service: 'pub', paths: ['/public'] },
          { name: 'projects', service: 'echo', paths: ['/projects'], allow_encoded_slashes: true },
        ],
      }),
      {
        maxUriBytes: 1024,
        maxHeaderBytes: 4096,
        observer: new CallObserver({
          records,
          metrics: undefined,
          reasons,
          capture: undefined,
          trace: false,
        }),
        log: {
          info: (o) => logged.push(o as Record<string, unknown>),
          warn: (o) => logged.push(o as Record<string, unknown>),
        },
      },
    );
  });
  after(async () => {
    await gw.close();
    await echo.close();
    reasons.close();
  });

  it('answers 431, not 414, to a header block that overflows in a later TCP segment', async () => {
    // Many header lines, as browsers send them, cut into 1000-byte segments as a slow link would.
    let block = 'GET /echo HTTP/1.1\r\nhost: x\r\n';
    for (let i = 0; i < 40; i++) block += `x-field-${i}: ${'v'.repeat(480)}\r\n`;
    block += '\r\n';
    const parts: string[] = [];
    for (let i = 0; i < block.length; i += 1000) parts.push(block.slice(i, i + 1000));
    const lines = await segmented(gw.port, parts);
    assert.match(lines, /^HTTP\/1\.1 431 /);
    assert.match(lines, /KW_ERR_HEADERS_TOO_LARGE/);

    // One large cookie: the segment that overflows holds no line break at all.
    const cookie = Array.from({ length: 800 }, (_, i) => `c${i}=${'k'.repeat(20)}`).join('; ');
    const head = 'GET /echo HTTP/1.1\r\nhost: x\r\ncookie: ';
    const rest = `${cookie}\r\n\r\n`;
    const cookieParts = [head];
    for (let i = 0; i < rest.length; i += 1000) cookieParts.push(rest.slice(i, i + 1000));
    const single = await segmented(gw.port, cookieParts);
    assert.match(single, /^HTTP\/1\.1 431 /);
  });

  it('answers 414 to a request line that overflows in a later TCP segment', async () => {
    const target = `/echo/${'u'.repeat(20_000)}`;
    const parts = ['GET '];
    for (let i = 0; i < target.length; i += 1000) parts.push(target.slice(i, i + 1000));
    parts.push(' HTTP/1.1\r\nhost: x\r\n\r\n');
    const out = await segmented(gw.port, parts);
    assert.match(out, /^HTTP\/1\.1 414 /);
    assert.match(out, /KW_ERR_URI_TOO_LONG/);
  });

  it('refuses two Host fields, a missing one and an invalid one with 400 (RFC 9112 §3.2)', async () => {
    const two = await rawRequest(
      gw.port,
      'GET /echo HTTP/1.1\r\nhost: a.example\r\nHost: b.example\r\nconnection: close\r\n\r\n',
    );
    assert.match(two, /^HTTP\/1\.1 400 /);
    assert.match(two, /KW_ERR_BAD_REQUEST/);
    assert.match(two, /Host/);
    const none = await rawRequest(gw.port, 'GET /echo HTTP/1.1\r\nconnection: close\r\n\r\n');
    assert.match(none, /^HTTP\/1\.1 400 /);
    assert.match(none, /KW_ERR_BAD_REQUEST/);
    for (const bad of ['a.example/evil', 'user@a.example', 'a.example, b.example', 'a b']) {
      const out = await rawRequest(
        gw.port,
        `GET /echo HTTP/1.1\r\nhost: ${bad}\r\nconnection: close\r\n\r\n`,
      );
      assert.match(out, /^HTTP\/1\.1 400 /, bad);
    }
    // HTTP/1.0 has no Host requirement; one Host field with a port or an IPv6 literal is fine.
    assert.match(await rawRequest(gw.port, 'GET /echo HTTP/1.0\r\n\r\n'), /^HTTP\/1\.1 200 /);
    for (const good of ['a.example:8080', '[::1]:8000', 'localhost']) {
      const out = await rawRequest(
        gw.port,
        `GET /echo HTTP/1.1\r\nhost: ${good}\r\nconnection: close\r\n\r\n`,
      );
      assert.match(out, /^HTTP\/1\.1 200 /, good);
    }
  });

  it('refuses encoded path separators and `..;` segments unless the route allows them', async () => {
    const refused = [
      '/public/..%2fadmin/x',
      '/public/..%2Fadmin/x',
      '/public/a%5cb',
      '/public/..%5C..%5Cadmin',
      '/public/..\\admin',
      '/public/..;/admin',
      '/public/%2e%2e;jsessionid=1/admin',
      '/public/.;/admin',
      '/projects/a/..;/admin',
    ];
    for (const path of refused) {
      const out = await rawRequest(gw.port, `GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      assert.match(out, /^HTTP\/1\.1 400 /, path);
      assert.match(out, /KW_ERR_BAD_REQUEST/, path);
    }
    // The opt-out forwards them verbatim (an API whose ids hold encoded slashes).
    const res = await request(`${gw.url}/projects/group%2Fproject/files/a%5Cb`);
    assert.equal(res.statusCode, 200);
    assert.equal(((await res.body.json()) as Echo).url, '/group%2Fproject/files/a%5Cb');
    // Ordinary escapes and semicolons pass.
    const ok = await request(`${gw.url}/public/a%20b;v=1/c%2Ed`);
    assert.equal(ok.statusCode, 200);
    assert.equal(((await ok.body.json()) as Echo).url, '/pub/a%20b;v=1/c%2Ed');
  });

  it('records each request the parser refuses, with the client address, and logs the reason', async () => {
    const garbage = await rawRequest(gw.port, 'GARBAGE\r\n\r\n');
    assert.match(garbage, /^HTTP\/1\.1 400 /);
    const id = /\r\nx-request-id: ([^\r]+)\r\n/.exec(garbage)?.[1] ?? '';
    assert.notEqual(id, '', 'the refusal carries a request id');
    const r = await records.recordOf(id);
    assert.equal(r.status, 400);
    assert.equal(r.error_code, 'KW_ERR_BAD_REQUEST');
    assert.equal(r.client_ip, '127.0.0.1');
    assert.equal(r.route, null);
    const line = logged.find((l) => l['request_id'] === id);
    assert.ok(line !== undefined, 'logged under the same request id');
    assert.equal(line['client_ip'], '127.0.0.1');
    assert.match(String(line['reason']), /HPE_/);

    const big = await rawRequest(
      gw.port,
      `GET /echo/x?apikey=secret HTTP/1.1\r\nhost: x\r\nx-huge: ${'h'.repeat(20_000)}\r\n\r\n`,
    );
    assert.match(big, /^HTTP\/1\.1 431 /);
    const bigRecord = await records.recordOf(/\r\nx-request-id: ([^\r]+)\r\n/.exec(big)?.[1] ?? '');
    assert.equal(bigRecord.error_code, 'KW_ERR_HEADERS_TOO_LARGE');
    assert.equal(bigRecord.method, 'GET');
    assert.equal(bigRecord.path, '/echo/x', 'never the query string');
    assert.doesNotMatch(JSON.stringify(logged), /secret/);
  });
});
