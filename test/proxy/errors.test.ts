import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { request } from 'undici';
import { deadPort, startServer, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';

async function rawRequest(port: number, text: string): Promise<string> {
  const sock = net.connect(port, '127.0.0.1');
  sock.write(text);
  let out = '';
  sock.setEncoding('latin1');
  for await (const chunk of sock) out += chunk as string;
  return out;
}

describe('gateway errors', () => {
  let hang: TestServer;
  let gw: TestGateway;
  const hanging: Array<() => void> = [];

  before(async () => {
    hang = await startServer((req, res) => {
      if (req.url?.startsWith('/slow-body')) {
        res.writeHead(200);
        res.write('part');
      }
      hanging.push(() => res.destroy());
    });
    const dead = await deadPort();
    gw = await startGateway(
      state({
        services: [
          { name: 'dead', url: `http://127.0.0.1:${dead}` },
          { name: 'hang', url: `http://${hang.address}`, read_timeout_ms: 150 },
          { name: 'total', url: `http://${hang.address}`, read_timeout_ms: 10_000, timeout_ms: 200 },
        ],
        routes: [
          { name: 'dead', service: 'dead', paths: ['/dead'] },
          { name: 'hang', service: 'hang', paths: ['/hang'] },
          { name: 'total', service: 'total', paths: ['/total'] },
        ],
      }),
      { maxUriBytes: 1024, maxHeaderBytes: 4096 },
    );
  });
  after(async () => {
    for (const h of hanging) h();
    await gw.close();
    await hang.close();
  });

  it('answers 502 when the upstream refuses the connection', async () => {
    const res = await request(`${gw.url}/dead`);
    const body = (await res.body.json()) as { error: { code: string; message: string } };
    assert.equal(res.statusCode, 502);
    assert.equal(body.error.code, 'KW_ERR_UPSTREAM_UNAVAILABLE');
    assert.doesNotMatch(
      body.error.message,
      /ECONNREFUSED|127\.0\.0\.1/,
      'no upstream details leak to the client',
    );
    assert.equal(gw.errors.at(-1)?.code, 'ECONNREFUSED');
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    const res = await request(`${gw.url}/hang`);
    assert.equal(res.statusCode, 504);
    assert.equal(
      ((await res.body.json()) as { error: { code: string } }).error.code,
      'KW_ERR_UPSTREAM_TIMEOUT',
    );
  });

  it('applies the total timeout', async () => {
    const res = await request(`${gw.url}/total`);
    assert.equal(res.statusCode, 504);
    await res.body.dump();
  });

  it('cuts the connection when the upstream stalls after the headers', async () => {
    const res = await request(`${gw.url}/hang/slow-body`);
    assert.equal(res.statusCode, 200);
    await assert.rejects(res.body.text());
  });

  it('answers 414 for an overlong request target and 431 for oversized headers', async () => {
    const long = await request(`${gw.url}/dead/${'a'.repeat(2000)}`);
    assert.equal(long.statusCode, 414);
    assert.equal(((await long.body.json()) as { error: { code: string } }).error.code, 'KW_ERR_URI_TOO_LONG');
    const big = await request(`${gw.url}/dead`, { headers: { 'x-big': 'b'.repeat(5000) } });
    assert.equal(big.statusCode, 431);
    assert.equal(
      ((await big.body.json()) as { error: { code: string } }).error.code,
      'KW_ERR_HEADERS_TOO_LARGE',
    );
    const huge = await rawRequest(
      gw.port,
      `GET /dead HTTP/1.1\r\nhost: x\r\nx-huge: ${'h'.repeat(20000)}\r\n\r\n`,
    );
    assert.match(huge, /^HTTP\/1\.1 431 /);
    const hugeUri = await rawRequest(gw.port, `GET /${'u'.repeat(20000)} HTTP/1.1\r\nhost: x\r\n\r\n`);
    assert.match(hugeUri, /^HTTP\/1\.1 414 /);
  });

  it('answers 400 to a malformed request instead of resetting', async () => {
    const out = await rawRequest(gw.port, 'GARBAGE\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 400 /);
    assert.match(out, /KW_ERR_BAD_REQUEST/);
  });
});
