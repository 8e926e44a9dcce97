/**
 * Keyway keys on an AI route with a plain `key-auth` (no config): the official `@anthropic-ai/sdk` sends its
 * `apiKey` as `x-api-key`, the official `openai` SDK as `Authorization: Bearer`; both must get through, and
 * `x-api-key` must stay a non-key header on ordinary routes.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { anthropicMessage } from '../ai/anthropic-fixtures.js';
import { aiHarness } from '../ai/harness.js';
import { aiState } from '../ai/openai-fixtures.js';
import { MemoryKeys } from '../helpers/api-keys.js';

const PROVIDER_SECRET = 'sk-ant-provider-secret-0002';

describe('key-auth on AI routes', () => {
  const keys = new MemoryKeys();
  const resolver = new ApiKeyResolver(keys, keys.hasher, { pollMs: 0, negativeTtlMs: 0 });
  const h = aiHarness({
    config: (fake) =>
      aiState({
        providers: [
          {
            name: 'an',
            type: 'anthropic',
            base_url: `${fake.url}/anthropic`,
            keys: [{ id: 'k1', secret: PROVIDER_SECRET }],
          },
        ],
        models: [{ name: 'claude', targets: [{ provider: 'an', model: 'claude-sonnet-4-5' }], retries: 0 }],
        consumers: [{ username: 'acme' }],
        apps: [{ name: 'acme-app', consumer: 'acme' }],
        services: [{ name: 'plain', url: `http://${new URL(fake.url).host}` }],
        routes: [{ name: 'plain', service: 'plain', paths: ['/plain'] }],
        plugins: [
          { name: 'key-auth', service: 'ai', config: {} },
          { name: 'key-auth', service: 'plain', config: {} },
        ],
      }),
    gateway: { services: { apiKeys: resolver } },
  });
  let keywayKey: string;
  before(() => {
    keywayKey = keys.issue(h.config.workspaces[0]?.apps[0]?.id ?? '').key;
  });

  it('lets the official Anthropic SDK in, with the key as x-api-key or as a bearer', async () => {
    // `apiKey` goes out as `x-api-key` from @anthropic-ai/sdk 0.x (and in Anthropic's curl examples), as
    // `Authorization: Bearer` from 1.x; `defaultHeaders` makes this SDK send the header form.
    const baseURL = h.gw.url;
    const clients = {
      'x-api-key': new Anthropic({
        apiKey: null,
        defaultHeaders: { 'x-api-key': keywayKey },
        baseURL,
        maxRetries: 0,
      }),
      bearer: new Anthropic({ apiKey: keywayKey, baseURL, maxRetries: 0 }),
    };
    for (const [how, client] of Object.entries(clients)) {
      h.fake.queue({ json: anthropicMessage([{ type: 'text', text: `ok ${how}` }]) });
      const msg = await client.messages.create({
        model: 'claude',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      });
      assert.deepEqual(msg.content, [{ type: 'text', text: `ok ${how}` }], how);
    }
    for (const rec of h.fake.requests) {
      const sent = Object.values(rec.headers).flat().join('\n');
      assert.ok(!sent.includes(keywayKey), 'the Keyway key never reaches the provider');
      assert.ok(sent.includes(PROVIDER_SECRET));
    }
    h.fake.queue({ json: anthropicMessage([{ type: 'text', text: 'curl' }]) });
    const curl = await request(`${baseURL}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': keywayKey,
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
    });
    await curl.body.dump();
    assert.equal(curl.statusCode, 200);
  });

  it('lets the official OpenAI SDK in with its bearer token', async () => {
    h.fake.queue({ json: anthropicMessage([{ type: 'text', text: 'fine' }]) });
    const client = new OpenAI({ apiKey: keywayKey, baseURL: `${h.gw.url}/v1`, maxRetries: 0 });
    const done = await client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(done.choices[0]?.message.content, 'fine');
  });

  it('refuses a wrong x-api-key as an invalid key, with the challenge', async () => {
    const client = new Anthropic({ apiKey: 'kw_live_not-a-real-key', baseURL: h.gw.url, maxRetries: 0 });
    await assert.rejects(
      client.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) => err instanceof Anthropic.AuthenticationError,
    );
    const res = await request(`${h.gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'kw_live_not-a-real-key' },
      body: '{}',
    });
    await res.body.dump();
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], 'Key realm="keyway", header="apikey", error="invalid_key"');
  });

  it('does not read x-api-key on a route that is not an AI route', async () => {
    const res = await request(`${h.gw.url}/plain/x`, { headers: { 'x-api-key': keywayKey } });
    const text = await res.body.text();
    assert.equal(res.statusCode, 401);
    assert.match(text, /KW_ERR_AUTH_MISSING/);
  });
});
