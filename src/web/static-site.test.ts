/**
 * A built web app served from a temp folder: content types, cache headers (hashed assets immutable,
 * index.html revalidated), the single-page fallback, a 404 for a missing asset, the security headers on
 * every answer, no path traversal, and 503 KW_ERR_WEB_NOT_BUILT when nothing was built.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { IMMUTABLE, REVALIDATE, SECURITY_HEADERS, serveStaticSite } from './static-site.js';

describe('static site', () => {
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyway-site-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>t</title><script type="module" src="/c/assets/app-1a2b.js"></script>',
    );
    writeFileSync(join(dir, 'assets', 'app-1a2b.js'), 'export {};');
    writeFileSync(join(dir, 'assets', 'app-1a2b.css'), 'body{}');
    writeFileSync(join(dir, 'assets', 'app-1a2b.js.br'), brotliCompressSync('export {};'));
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, '..', 'outside.txt'), 'secret');
    app = Fastify();
    await serveStaticSite(app, { prefix: '/c/', root: dir, name: 'console' });
    app.get('/other', async () => ({ ok: true }));
    await app.ready();
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(dir, '..', 'outside.txt'), { force: true });
  });

  it('serves index.html at the prefix, revalidated, with the security headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/c/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['cache-control'], REVALIDATE);
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      assert.equal(res.headers[name], value, name);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
  });

  it('serves hashed assets immutable with their content types', async () => {
    const js = await app.inject({ method: 'GET', url: '/c/assets/app-1a2b.js' });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.equal(js.headers['cache-control'], IMMUTABLE);
    assert.equal(js.headers['x-content-type-options'], 'nosniff');
    const br = await app.inject({
      method: 'GET',
      url: '/c/assets/app-1a2b.js',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    assert.equal(br.headers['content-encoding'], 'br', "the build's Brotli copy");
    assert.match(String(br.headers['content-type']), /javascript/);
    assert.equal(br.headers['cache-control'], IMMUTABLE);
    assert.equal(brotliDecompressSync(br.rawPayload).toString(), 'export {};');
    const css = await app.inject({ method: 'GET', url: '/c/assets/app-1a2b.css' });
    assert.match(String(css.headers['content-type']), /^text\/css/);
    const svg = await app.inject({ method: 'GET', url: '/c/favicon.svg' });
    assert.match(String(svg.headers['content-type']), /^image\/svg\+xml/);
    assert.equal(svg.headers['cache-control'], REVALIDATE, 'not hashed: revalidated');
  });

  it("answers the app's pages with index.html, and a missing file with 404", async () => {
    const page = await app.inject({ method: 'GET', url: '/c/w/default/services/new?x=1' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<title>t<\/title>/);
    assert.equal(page.headers['cache-control'], REVALIDATE);
    const missing = await app.inject({ method: 'GET', url: '/c/assets/gone-0000.js' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json<{ error: { code: string } }>().error.code, 'KW_ERR_NOT_FOUND');
    assert.equal(missing.headers['x-content-type-options'], 'nosniff');
  });

  it('never serves a file outside its folder, and leaves other routes alone', async () => {
    for (const url of ['/c/../outside.txt', '/c/%2e%2e/outside.txt', '/c/assets/%2e%2e/%2e%2e/outside.txt']) {
      const res = await app.inject({ method: 'GET', url });
      assert.ok(!res.body.includes('secret'), url);
    }
    const other = await app.inject({ method: 'GET', url: '/other' });
    assert.equal(other.statusCode, 200);
    assert.equal(other.headers['content-security-policy'], undefined);
  });

  it('without a build, answers 503 KW_ERR_WEB_NOT_BUILT', async () => {
    const empty = Fastify();
    await serveStaticSite(empty, { prefix: '/c/', root: join(dir, 'nothing'), name: 'console' });
    const res = await empty.inject({ method: 'GET', url: '/c/w/x' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /KW_ERR_WEB_NOT_BUILT/);
    await empty.close();
  });
});
