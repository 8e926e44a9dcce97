import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { startServer, type TestServer } from '../helpers/upstream.js';
import { startGateway, state, type TestGateway } from '../helpers/gateway.js';

describe('streaming and disconnects', () => {
  let up: TestServer;
  let gw: TestGateway;
  let upstreamClosed: Promise<void> | undefined;
  let firstChunkSent: (() => void) | undefined;
  let pendingSecond: (() => void) | undefined;

  before(async () => {
    up = await startServer((req, res) => {
      if (req.url === '/forever') {
        // Streams until the peer goes away; the test proves the gateway hangs up when its client does.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first\n');
        firstChunkSent?.();
        const t = setInterval(() => res.write('more\n'), 5);
        upstreamClosed = new Promise((resolve) =>
          res.on('close', () => {
            clearInterval(t);
            resolve();
          }),
        );
        return;
      }
      if (req.url === '/chunks') {
        // The client must see the first chunk before the upstream sends the second: no buffering.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('one');
        pendingSecond = () => res.end('two');
        return;
      }
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.end(String(n)));
    });
    gw = await startGateway(
      state({
        services: [{ name: 's', url: `http://${up.address}` }],
        routes: [{ name: 's', service: 's', paths: ['/'] }],
      }),
    );
  });
  after(async () => {
    await gw.close();
    await up.close();
  });

  it('relays each chunk as it arrives', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${gw.url}/chunks`, resolve));
    const [first] = (await once(res, 'data')) as [Buffer];
    assert.equal(first.toString(), 'one');
    assert.ok(pendingSecond !== undefined);
    pendingSecond();
    let rest = '';
    for await (const c of res) rest += String(c);
    assert.equal(rest, 'two');
  });

  it('streams a chunked upload of unknown length', async () => {
    const req = http.request(`${gw.url}/upload`, { method: 'POST' });
    const size = 8 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (let sent = 0; sent < size; sent += chunk.length) if (!req.write(chunk)) await once(req, 'drain');
    req.end();
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    let body = '';
    for await (const c of res) body += String(c);
    assert.equal(body, String(size));
  });

  it('aborts the upstream call when the client disconnects', async () => {
    const sent = new Promise<void>((r) => (firstChunkSent = r));
    const req = http.get(`${gw.url}/forever`);
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    await sent;
    await once(res, 'data');
    req.destroy();
    assert.ok(upstreamClosed !== undefined);
    await upstreamClosed;
  });
});
