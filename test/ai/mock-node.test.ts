// The AI walkthrough without provider accounts, as a person runs it: a real `keyway start`, a file with the
// mock provider (`ai_providers: [{name: mock, type: mock}]`) and aliases onto it applied with the CLI, a
// Keyway key, and the official SDKs: a streamed answer, a fallback past a failing model, the Anthropic
// endpoint, and a refusal in the SDK's own error class.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { drain } from './harness.js';

const YAML = `_format_version: "1"
ai_providers:
  - name: mock
    type: mock
    prices: [{ model: mock-echo, input: 1, output: 2 }]
ai_models:
  - name: fast
    targets: [{ provider: mock, model: mock-echo }]
  - name: smart
    targets: [{ provider: mock, model: mock-error-429 }]
    fallbacks: [fast]
services:
  - name: ai
    url: ai://gateway
    plugins:
      - name: key-auth
      - name: ai-proxy
    routes:
      - name: ai
        paths: [/ai]
consumers:
  - username: team-search
    apps: [{ name: search-backend }]
`;

describe('the AI walkthrough on the mock provider, with a real keyway process', () => {
  let kw: KeywayProcess;
  let client: OpenAI;
  let key = '';

  before(async () => {
    kw = await startKeyway();
    const env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_DATA_DIR: kw.dataDir };
    const file = join(mkdtempSync(join(tmpdir(), 'keyway-mock-')), 'ai.yaml');
    writeFileSync(file, YAML);
    const applied = await runCli(['apply', '-f', file], env);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    const created = await runCli(['keys', 'create', '--app', 'search-backend'], env);
    assert.equal(created.code, 0, created.stderr);
    key = /kw_\w+/.exec(created.stdout)?.[0] ?? '';
    assert.ok(key !== '', created.stdout);
    client = new OpenAI({ baseURL: `${kw.proxyUrl}/ai/v1`, apiKey: key, maxRetries: 0 });
    // The node picks the configuration up on its next poll.
    for (let i = 0; i < 200; i++) {
      const r = await request(`${kw.proxyUrl}/ai/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      await r.body.dump();
      if (r.statusCode === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  after(async () => {
    await kw.stop();
  });

  it('streams the echo of the prompt, chunk by chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'fast',
      stream: true,
      messages: [{ role: 'user', content: 'Write a haiku about gateways' }],
    });
    const { text, chunks } = await drain(stream);
    assert.equal(text, 'Write a haiku about gateways');
    assert.ok(chunks.length >= 5, `${chunks.length} chunks`);
  });

  it('falls back past the simulated rate limit, call after call', async () => {
    for (let i = 0; i < 2; i++) {
      const { data, response } = await client.chat.completions
        .create({ model: 'smart', messages: [{ role: 'user', content: 'Hi' }] })
        .withResponse();
      assert.equal(data.choices[0]?.message.content, 'Hi');
      assert.equal(response.headers.get('x-keyway-ai-model'), 'mock-echo');
    }
  });

  it('speaks the Anthropic format too', async () => {
    const claude = new Anthropic({
      baseURL: `${kw.proxyUrl}/ai`,
      authToken: key,
      apiKey: null,
      maxRetries: 0,
    });
    const msg = await claude.messages.create({
      model: 'fast',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    assert.deepEqual(msg.content, [{ type: 'text', text: 'Hi' }]);
  });

  it('refuses a wrong key in the SDK’s own error class, with the KW code', async () => {
    const stranger = new OpenAI({ baseURL: `${kw.proxyUrl}/ai/v1`, apiKey: 'sk-not-keyway', maxRetries: 0 });
    await assert.rejects(
      stranger.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }] }),
      (err: unknown) => err instanceof OpenAI.AuthenticationError && err.code === 'KW_ERR_AUTH_MISSING',
    );
  });
});
