// Journey 6 of SCENARIOS.md with a real `keyway start` and the official `openai` SDK: an AI platform team adds
// OpenAI and Anthropic credentials (sealed at rest), aliases `smart` → Anthropic and `fast` → OpenAI with a
// fallback, and a prompt API; an application team calls `model: "smart"` streaming with its Keyway key and
// sees tokens as the provider sends them; when Anthropic fails, `smart` is served by the fallback; the prompt
// API answers `{"result": "positive"}`. The budget part of the journey (80 % alert, 429 at 100 %, cost per
// team and model in analytics) runs in test/ai/budget-node.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { request } from 'undici';
import { gate, startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';
import { runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { anthropicTextStream } from '../ai/anthropic-fixtures.js';
import { drain } from '../ai/harness.js';
import { completion } from '../ai/openai-fixtures.js';

const OPENAI_KEY = 'sk-proj-journey6-openai-0123456789';
const ANTHROPIC_KEY = 'sk-ant-journey6-anthropic-0123456789';

const yaml = (openai: string, anthropic: string): string => `_format_version: "1"
ai_providers:
  - name: openai
    type: openai
    base_url: ${openai}/v1
    keys: [{ id: main, secret: ${OPENAI_KEY} }]
    prices: [{ model: gpt-4o-mini, input: 0.15, output: 0.6 }]
  - name: anthropic
    type: anthropic
    base_url: ${anthropic}
    keys: [{ id: main, secret: ${ANTHROPIC_KEY} }]
    prices: [{ model: claude-sonnet-4-5, input: 3, output: 15 }]
ai_models:
  - name: fast
    targets: [{ provider: openai, model: gpt-4o-mini }]
  - name: smart
    targets: [{ provider: anthropic, model: claude-sonnet-4-5 }]
    retries: 0
    fallbacks: [fast]
prompt_apis:
  - name: sentiment
    model: fast
    system: You classify the sentiment of customer messages.
    template: "Answer positive, negative or neutral. Message: {{text}}"
    variables:
      text: { description: The customer message, required: true }
services:
  - name: ai
    url: ai://gateway
    plugins:
      - name: key-auth
      - name: ai-proxy
    routes:
      - name: ai
        paths: [/]
consumers:
  - username: team-search
    apps: [{ name: search-backend }]
`;

describe('one API for every model (journey 6)', () => {
  let openai: FakeLlm;
  let anthropic: FakeLlm;
  let kw: KeywayProcess;
  let client: OpenAI;
  let key = '';

  before(async () => {
    openai = await startFakeLlm();
    anthropic = await startFakeLlm();
    kw = await startKeyway();
    const env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_DATA_DIR: kw.dataDir };
    const file = join(mkdtempSync(join(tmpdir(), 'keyway-journey6-')), 'ai.yaml');
    writeFileSync(file, yaml(openai.url, anthropic.url));
    const applied = await runCli(['apply', '-f', file], env);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    const created = await runCli(['keys', 'create', '--app', 'search-backend'], env);
    assert.equal(created.code, 0, created.stderr);
    key = /kw_\w+/.exec(created.stdout)?.[0] ?? '';
    assert.ok(key !== '', created.stdout);
    client = new OpenAI({ baseURL: `${kw.proxyUrl}/v1`, apiKey: key, maxRetries: 0 });
    // The node picks the configuration up on its next poll.
    for (let i = 0; i < 100; i++) {
      const r = await request(`${kw.proxyUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      await r.body.dump();
      if (r.statusCode === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  after(async () => {
    // Whatever failed in `before`, close what did start: an open server would keep the test process alive.
    try {
      await kw.stop();
    } finally {
      await openai.close();
      await anthropic.close();
    }
  });

  it('streams `smart` from Anthropic through the openai SDK, token by token', async () => {
    const rest = gate();
    anthropic.queue({ sse: anthropicTextStream(['Gate', 'ways ', 'route.'], { gate: rest.promise }) });
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'smart', stream: true, messages: [{ role: 'user', content: 'A haiku, please' }] })
      .withResponse();
    assert.equal(response.headers.get('x-keyway-ai-provider'), 'anthropic');
    assert.equal(response.headers.get('x-keyway-ai-model'), 'claude-sonnet-4-5');
    // The first token arrives while the provider still holds the rest: nothing was buffered.
    const { text } = await drain(stream, rest.open);
    assert.equal(text, 'Gateways route.');
    const sent = anthropic.requests.at(-1);
    assert.equal(sent?.headers['x-api-key'], ANTHROPIC_KEY, 'the sealed key was opened for the call');
    assert.equal(sent?.headers['authorization'], undefined, 'the caller’s Keyway key stays at the gateway');
    assert.equal((sent?.json as { stream?: boolean }).stream, true);
  });

  it('falls back to OpenAI when Anthropic fails, and says so', async () => {
    anthropic.queue({
      status: 529,
      json: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
    openai.queue({ json: completion('Fallback answer') });
    const { data, response } = await client.chat.completions
      .create({ model: 'smart', messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    assert.equal(data.choices[0]?.message.content, 'Fallback answer');
    assert.equal(response.headers.get('x-keyway-ai-provider'), 'openai');
    assert.equal(openai.requests.at(-1)?.headers['authorization'], `Bearer ${OPENAI_KEY}`);
  });

  it('serves the prompt API as plain REST', async () => {
    openai.queue({ json: completion('positive') });
    const res = await request(`${kw.proxyUrl}/prompts/sentiment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'The new release fixed everything, thank you!' }),
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(await res.body.json(), { result: 'positive' });
    const sent = openai.requests.at(-1)?.json as { messages: Array<{ role: string; content: string }> };
    assert.equal(sent.messages[0]?.role, 'system');
    assert.match(sent.messages[1]?.content ?? '', /The new release fixed everything/);
    const missing = await request(`${kw.proxyUrl}/prompts/sentiment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ txt: 'typo' }),
    });
    assert.equal(missing.statusCode, 400);
    assert.match(await missing.body.text(), /KW_ERR_PROMPT_VARIABLES/);
  });

  it('refuses callers without a Keyway key, and never stores or logs provider keys in clear', async () => {
    const anon = new OpenAI({ baseURL: `${kw.proxyUrl}/v1`, apiKey: 'not-a-keyway-key', maxRetries: 0 });
    await assert.rejects(
      anon.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
      (err: unknown) => err instanceof OpenAI.APIError && err.status === 401,
    );
    const providers = await request(`${kw.adminUrl}/ai_providers`, {
      headers: { authorization: `Bearer ${kw.token}` },
    });
    const listed = await providers.body.text();
    assert.equal(providers.statusCode, 200);
    for (const secret of [OPENAI_KEY, ANTHROPIC_KEY]) {
      assert.doesNotMatch(listed, new RegExp(secret));
      assert.doesNotMatch(kw.output(), new RegExp(secret));
      for (const name of readdirSync(kw.dataDir)) {
        if (name.endsWith('.db') || name.endsWith('.log'))
          assert.doesNotMatch(readFileSync(join(kw.dataDir, name), 'latin1'), new RegExp(secret));
      }
    }
  });
});
