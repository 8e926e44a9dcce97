/**
 * A caller that goes away mid-call: the call record says so (`KW_ERR_CLIENT_CLOSED`) and carries what
 * was charged — the usage so far of an abandoned stream, the prompt of a call the provider was working
 * on — and the budget holds exactly the record's cost. A real gateway (key-auth, ai-proxy with a budget
 * per consumer) in front of a fake OpenAI that holds its answers until the test has left.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { LocalCounterStore } from '../../src/limits/local-store.js';
import { usageReport } from '../../src/control/usage.js';
import { tokenizerLoaded } from '../../src/ai/tokens.js';
import type { CallRecord } from '../../src/observe/records/call-record.js';
import { MemoryKeys } from '../helpers/api-keys.js';
import { gate } from '../helpers/fake-llm.js';
import { aiHarness } from './harness.js';
import { aiState, chunk } from './openai-fixtures.js';
import { recording } from './openai-fixtures.js';

/** USD per million tokens: large enough that a few tokens make a visible cost. */
const PRICE = { input: 1000, output: 3000 };

describe('abandoned AI calls: records and budgets agree', () => {
  const records = recording();
  const keys = new MemoryKeys();
  const resolver = new ApiKeyResolver(keys, keys.hasher, { pollMs: 0, negativeTtlMs: 0 });
  const local = new LocalCounterStore({ sweepMs: 0 });
  const h = aiHarness({
    config: (fake) =>
      aiState({
        providers: [
          {
            name: 'oa',
            type: 'openai',
            base_url: `${fake.url}/v1`,
            keys: [{ id: 'k1', secret: 'sk-test-abandon-0001' }],
            prices: [{ model: 'gpt-4o-mini', ...PRICE }],
          },
        ],
        models: [{ name: 'fast', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }], retries: 0 }],
        config: { budgets: [{ usd: 1000, period: 'month', by: ['consumer'] }] },
        consumers: [{ username: 'team' }],
        apps: [{ name: 'team-app', consumer: 'team' }],
        plugins: [{ name: 'key-auth', service: 'ai' }],
      }),
    gateway: {
      services: { apiKeys: resolver, counters: local, localCounters: local },
      observer: records.observer,
    },
  });
  let client: OpenAI;
  let key: string;
  before(() => {
    key = keys.issue(h.config.workspaces[0]?.apps[0]?.id ?? '').key;
    client = new OpenAI({ apiKey: key, baseURL: `${h.gw.url}/v1`, maxRetries: 0 });
  });
  after(() => records.close());

  /** The consumer's spend this month, in USD, once the charges in flight have landed. */
  async function spent(): Promise<number> {
    const ws = h.config.workspaces[0];
    assert.ok(ws !== undefined);
    const report = await usageReport(ws, local, { consumer: 'team' }, Date.now());
    return report?.ai.budgets[0]?.spent_usd ?? NaN;
  }

  /** Polls until the budget moved past `before` (charges land after the record), generous deadline. */
  async function spentAfter(before: number): Promise<number> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const now = await spent();
      if (now !== before || Date.now() > deadline) return now;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const expectedCost = (r: CallRecord): number =>
    Math.round((r.tokens_in ?? 0) * PRICE.input + (r.tokens_out ?? 0) * PRICE.output) / 1e6;

  it('counts with the tokenizer loaded before the route served', () => {
    assert.equal(tokenizerLoaded(), true);
  });

  it('a stream abandoned mid-way: 200, KW_ERR_CLIENT_CLOSED, the usage so far, charged exactly', async () => {
    const before = await spent();
    const rest = gate();
    h.fake.queue({
      sse: [
        { data: chunk({ role: 'assistant', content: '' }) },
        { data: chunk({ content: 'The quick brown fox jumps' }) },
        // The rest (and the provider's usage) never comes: the caller leaves first.
        { gate: rest.promise },
        { data: chunk({ content: ' over the lazy dog' }) },
        { data: chunk({}, 'stop') },
        { data: '[DONE]' },
      ],
    });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      {
        model: 'fast',
        messages: [{ role: 'user', content: 'Tell me about foxes and dogs, please.' }],
        stream: true,
      },
      { signal: controller.signal, headers: { 'x-request-id': 'abandoned-stream-1' } },
    );
    for await (const c of stream)
      if (c.choices[0]?.delta.content?.includes('fox') === true) controller.abort();
    const r = await records.recordFor('abandoned-stream-1');
    rest.open();

    assert.equal(r.status, 200);
    assert.equal(r.error_code, 'KW_ERR_CLIENT_CLOSED');
    assert.equal(r.model, 'gpt-4o-mini');
    assert.equal(r.provider, 'oa');
    assert.ok((r.tokens_in ?? 0) > 0, `tokens_in ${r.tokens_in}`);
    assert.ok((r.tokens_out ?? 0) > 0, `tokens_out ${r.tokens_out}`);
    assert.equal(r.cost, expectedCost(r));
    assert.equal(await spentAfter(before), before + (r.cost ?? NaN));
  });

  it('a call abandoned while the provider works: 499, KW_ERR_CLIENT_CLOSED, the prompt charged', async () => {
    const before = await spent();
    const arrived = gate();
    const never = gate();
    h.fake.setDefault(() => {
      arrived.open();
      return { hold: never.promise, json: {} };
    });
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: 'fast', messages: [{ role: 'user', content: 'Write a long essay about gateways.' }] },
      { signal: controller.signal, headers: { 'x-request-id': 'abandoned-json-1' } },
    );
    await arrived.promise;
    controller.abort();
    await assert.rejects(pending);
    const r = await records.recordFor('abandoned-json-1');
    never.open();

    assert.equal(r.status, 499);
    assert.equal(r.error_code, 'KW_ERR_CLIENT_CLOSED');
    assert.equal(r.model, 'gpt-4o-mini');
    assert.equal(r.provider, 'oa');
    assert.ok((r.tokens_in ?? 0) > 0, `tokens_in ${r.tokens_in}`);
    assert.equal(r.tokens_out, 0);
    assert.equal(r.cost, expectedCost(r));
    assert.equal(await spentAfter(before), before + (r.cost ?? NaN));
  });

  it('a caller gone before its request body arrived: 499, KW_ERR_CLIENT_CLOSED, nothing charged', async () => {
    const before = await spent();
    const socket = connect(h.gw.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n' +
        `authorization: Bearer ${key}\r\nx-request-id: abandoned-body-1\r\ncontent-length: 500\r\n\r\n{"model":`,
    );
    const r = records.recordFor('abandoned-body-1');
    // Leave once the gateway is reading the body (the request is routed and authenticated by then).
    await new Promise((resolve) => setImmediate(resolve));
    socket.destroy();
    const record = await r;
    assert.equal(record.status, 499);
    assert.equal(record.error_code, 'KW_ERR_CLIENT_CLOSED');
    assert.equal(record.model, null);
    assert.equal(record.cost, null);
    assert.equal(await spent(), before);
  });
});
