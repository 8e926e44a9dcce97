/**
 * Admin bodies of RAW_JSON_MIN_BYTES and more reach the config service unparsed (src/core/json-text.ts)
 * and are parsed where the change is made. The same body, padded with whitespace past that size, must be
 * answered exactly as the small one that Fastify's parser and validator handle.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RAW_JSON_MIN_BYTES } from '../core/json-text.js';
import { ConfigThread } from '../control/thread/config-thread.js';
import { startAdmin, type AdminHarness } from '../../test/helpers/admin-harness.js';

let h: AdminHarness;
before(async () => {
  h = await startAdmin();
});
after(async () => h.close());

/** The same JSON text, made large by whitespace JSON allows between tokens. */
function padded(text: string): string {
  return ' '.repeat(RAW_JSON_MIN_BYTES) + text;
}

async function send(method: 'POST' | 'PUT' | 'PATCH', url: string, payload: string) {
  const res = await h.app.inject({
    method,
    url,
    headers: { ...h.auth, 'content-type': 'application/json' },
    payload,
  });
  const body = JSON.parse(res.body) as { error?: { request_id?: string } };
  if (body.error !== undefined) delete body.error.request_id;
  return { status: res.statusCode, body };
}

/** Sends `text` small and large; both answers must be the same (request ids aside). */
async function sameAnswer(method: 'POST' | 'PUT' | 'PATCH', url: string, text: string) {
  const small = await send(method, url, text);
  const large = await send(method, url, padded(text));
  assert.deepEqual(large, small, `${method} ${url} ${text.slice(0, 80)}`);
  return small;
}

describe('large admin bodies, parsed by the config service', () => {
  it('answers schema errors of a resource body as Fastify does for a small one', async () => {
    const res = await sameAnswer('POST', '/services', '{"name":"svc","url":42,"extra":true}');
    assert.equal(res.status, 400);
    const patched = await sameAnswer('PATCH', '/services/none', '{}');
    assert.equal(patched.status, 400);
  });

  it('refuses too deep, broken and prototype-poisoning JSON as the small-body parser does', async () => {
    const deep = '{"a":'.repeat(100) + '{}' + '}'.repeat(100);
    assert.equal((await sameAnswer('POST', '/services', deep)).status, 400);
    assert.equal((await sameAnswer('POST', '/config', deep)).status, 400);
    assert.equal((await sameAnswer('POST', '/services', '{"name":')).status, 400);
    const poisons = [
      '{"name":"p","url":"http://x","__proto__":{"admin":true}}',
      '{"name":"p","url":"http://x","\\u005f_proto__":{"admin":true}}',
      '{"name":"p","url":"http://x","constructor":{"prototype":{"admin":true}}}',
    ];
    for (const poison of poisons) {
      const res = await sameAnswer('POST', '/services', poison);
      assert.equal(res.status, 400, poison);
    }
  });

  it('creates, replaces and applies from large bodies', async () => {
    const created = await send('POST', '/services', padded('{"name":"big","url":"http://127.0.0.1:9"}'));
    assert.equal(created.status, 201);
    const replaced = await send('PUT', '/services/big', padded('{"name":"big","url":"http://127.0.0.1:10"}'));
    assert.equal(replaced.status, 200);
    const routes = Array.from({ length: 600 }, (_, i) => ({ name: `r${i}`, paths: [`/r${i}`] }));
    const doc = JSON.stringify({
      _format_version: '1',
      services: [{ name: 'big', url: 'http://127.0.0.1:10', routes }],
    });
    assert.ok(doc.length < RAW_JSON_MIN_BYTES);
    const applied = await send('POST', '/config', padded(doc));
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.equal((applied.body as { changes: unknown[] }).changes.length, 600);
  });
});

describe('large admin bodies, on the config thread', () => {
  let t: AdminHarness;
  let thread: ConfigThread | undefined;
  before(async () => {
    t = await startAdmin({
      config: (inline, dataDir) =>
        (thread = new ConfigThread({
          inline,
          // The harness's secret (test/helpers/admin-harness.ts): what its own service seals with.
          settings: { store: { dataDir }, secret: new Uint8Array(Buffer.alloc(32, 7)) },
          size: () => 0,
          onChange: () => undefined,
          onForget: () => undefined,
        })),
    });
  });
  after(async () => t.close());

  it('answers an apply made there with the JSON text it serialized, as the inline path would', async () => {
    const doc = JSON.stringify({
      _format_version: '1',
      services: [{ name: 'threaded', url: 'http://127.0.0.1:9', routes: [{ name: 't', paths: ['/t'] }] }],
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/config',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: padded(doc),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = JSON.parse(res.body) as { changes: Array<{ key: string }>; dry_run: boolean };
    assert.equal(body.dry_run, false);
    assert.deepEqual(body.changes.map((c) => c.key).sort(), ['t', 'threaded']);
    assert.equal(thread?.starts, 1);
    // A schema error in a large resource body, checked on the thread, answers as Fastify's validator does.
    const bad = '{"name":"svc","url":42,"extra":true}';
    const small = await t.app.inject({
      method: 'POST',
      url: '/services',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: bad,
    });
    const large = await t.app.inject({
      method: 'POST',
      url: '/services',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: padded(bad),
    });
    const strip = (text: string) => {
      const b = JSON.parse(text) as { error: { request_id?: string } };
      delete b.error.request_id;
      return b;
    };
    assert.equal(large.statusCode, small.statusCode);
    assert.deepEqual(strip(large.body), strip(small.body));
  });
});
