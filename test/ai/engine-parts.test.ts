/**
 * The engine's pure parts, alone: key cooldowns and rotation on an injected clock, the smooth weighted
 * pick, model resolution, stream framing (SSE and NDJSON split anywhere), and message sanitising.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WeightedPicker } from '../../src/ai/engine/balance.js';
import { sanitize } from '../../src/ai/engine/errors.js';
import { KeyState } from '../../src/ai/engine/key-state.js';
import { resolveModel, planChain } from '../../src/ai/engine/resolve.js';
import { streamEvents } from '../../src/ai/sse.js';
import type { AiCatalog, CompiledAlias } from '../../src/ai/catalog.js';
import { openaiAdapter } from '../../src/ai/providers/openai.js';
import type { CompiledProvider, StreamEvent } from '../../src/ai/types.js';

function provider(name: string, keys: string[]): CompiledProvider {
  return {
    name,
    type: 'openai',
    baseUrl: 'https://api.example.test/v1',
    apiVersion: undefined,
    headers: {},
    timeoutMs: 1000,
    cooldownMs: 1000,
    adapter: openaiAdapter,
    keys: keys.map((id) => ({ id, secret: `secret-${id}` })),
    prices: new Map(),
  };
}

async function collect(parts: string[], format: 'sse' | 'ndjson'): Promise<StreamEvent[]> {
  async function* body() {
    for (const p of parts) yield new TextEncoder().encode(p);
  }
  const out: StreamEvent[] = [];
  for await (const ev of streamEvents(body(), format)) out.push(ev);
  return out;
}

describe('KeyState', () => {
  it('rotates over the pool, skips cooling keys, and lets them back when the cooldown ends', () => {
    let now = 1_000_000;
    const state = new KeyState(() => now);
    const p = provider('p', ['k1', 'k2', 'k3']);
    const none = new Set<string>();
    assert.deepEqual(
      [1, 2, 3, 4].map(() => state.pick('ws', p, none)?.id),
      ['k1', 'k2', 'k3', 'k1'],
    );
    state.coolDown('ws', 'p', 'k2', 5000);
    assert.deepEqual(
      [1, 2, 3].map(() => state.pick('ws', p, none)?.id),
      ['k3', 'k1', 'k3'],
    );
    assert.equal(state.remaining('ws', 'p', 'k2'), 5000);
    assert.equal(state.remaining('other-ws', 'p', 'k2'), 0, 'cooldowns are per workspace');
    now += 5000;
    assert.equal(state.remaining('ws', 'p', 'k2'), 0);
    assert.ok(['k1', 'k2', 'k3'].includes(state.pick('ws', p, none)?.id ?? ''));
  });

  it('prefers keys not tried in this call, then tried ones, then none when all cool', () => {
    const state = new KeyState(() => 0);
    const p = provider('p', ['k1', 'k2']);
    assert.equal(state.pick('ws', p, new Set(['k1']))?.id, 'k2');
    assert.equal(state.pick('ws', p, new Set(['k1', 'k2']))?.id !== undefined, true);
    state.coolDown('ws', 'p', 'k1', 10);
    state.coolDown('ws', 'p', 'k2', 20);
    assert.equal(state.pick('ws', p, new Set()), undefined);
    assert.equal(state.soonest('ws', p), 10);
  });

  it('keeps the later end when a cooling key is cooled again', () => {
    const state = new KeyState(() => 0);
    state.coolDown('ws', 'p', 'k', 30_000);
    state.coolDown('ws', 'p', 'k', 1000);
    assert.equal(state.remaining('ws', 'p', 'k'), 30_000);
  });

  it('treats a keyless provider as one pseudo-key that can cool', () => {
    const state = new KeyState(() => 0);
    const p = provider('local', []);
    assert.deepEqual(state.pick('ws', p, new Set()), { id: '', secret: undefined });
    state.coolDown('ws', 'local', '', 100);
    assert.equal(state.pick('ws', p, new Set()), undefined);
  });
});

describe('WeightedPicker', () => {
  it('gives an exact, interleaved split over each window of the total weight', () => {
    const picker = new WeightedPicker([5, 1, 1]);
    const seq = Array.from({ length: 14 }, () => picker.pick(() => true));
    assert.deepEqual(seq.slice(0, 7), [0, 0, 1, 0, 2, 0, 0]);
    assert.deepEqual(seq.slice(7), seq.slice(0, 7));
  });

  it('leaves ineligible and zero-weight targets out', () => {
    const picker = new WeightedPicker([1, 0, 1]);
    assert.deepEqual(
      [1, 2, 3].map(() => picker.pick((i) => i !== 0)),
      [2, 2, 2],
    );
    assert.equal(
      picker.pick(() => false),
      -1,
    );
  });
});

describe('resolveModel', () => {
  const p = provider('oa', ['k']);
  const alias: CompiledAlias = {
    name: 'smart',
    targets: [{ provider: p, model: 'gpt-4o', weight: 1 }],
    totalWeight: 1,
    fallbacks: ['oa/gpt-4o-mini', 'smart', 'ghost/x'],
    retries: 2,
    retryBackoffMs: 50,
    timeoutMs: 0,
  };
  const catalog: AiCatalog = {
    workspace: 'ws',
    providers: new Map([['oa', p]]),
    aliases: new Map([['smart', alias]]),
    prompts: new Map(),
  };

  it('resolves aliases, provider/model on the first slash, and nothing else', () => {
    assert.equal(resolveModel(catalog, 'smart')?.retries, 2);
    assert.equal(
      resolveModel(catalog, 'oa/meta-llama/llama-3-70b')?.targets[0]?.model,
      'meta-llama/llama-3-70b',
    );
    for (const ref of ['nope', 'ghost/gpt-4o', 'oa/', '/gpt-4o'])
      assert.equal(resolveModel(catalog, ref), undefined, ref);
  });

  it('chains fallbacks in order, once each, skipping unknown ones', () => {
    const first = resolveModel(catalog, 'smart');
    assert.ok(first !== undefined);
    assert.deepEqual(
      planChain(catalog, first).map((pl) => pl.ref),
      ['smart', 'oa/gpt-4o-mini'],
    );
  });
});

describe('streamEvents', () => {
  it('parses SSE split anywhere, with CRLF, comments, multi-line data and event names', async () => {
    const text =
      ': keep-alive\r\n\r\nevent: message_start\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: [DONE]\n\n';
    for (const size of [1, 3, 7, text.length]) {
      const parts: string[] = [];
      for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
      assert.deepEqual(await collect(parts, 'sse'), [
        { event: 'message_start', data: '{"a":\n1}' },
        { event: undefined, data: '[DONE]' },
      ]);
    }
  });

  it('keeps multi-byte characters whole across network reads', async () => {
    const bytes = new TextEncoder().encode('data: {"t":"héllo 👋"}\n\n');
    async function* body() {
      for (const b of bytes) yield new Uint8Array([b]);
    }
    const out: StreamEvent[] = [];
    for await (const ev of streamEvents(body(), 'sse')) out.push(ev);
    assert.deepEqual(out, [{ event: undefined, data: '{"t":"héllo 👋"}' }]);
  });

  it('parses NDJSON split anywhere, with a last line lacking its newline', async () => {
    const out = await collect(['{"a":', '1}\n\n{"b"', ':2}\n{"c":3}'], 'ndjson');
    assert.deepEqual(
      out.map((e) => e.data),
      ['{"a":1}', '{"b":2}', '{"c":3}'],
    );
  });
});

describe('sanitize', () => {
  const p = provider('oa', ['k']);
  it('masks the key (whole or partial), key-like tokens and URLs', () => {
    const target = { provider: p, model: 'm', key: 'sk-live-abcdefghijklmnop' };
    const out = sanitize(
      'Incorrect API key provided: sk-live-abcdefghijklmnop (sk-live-***mnop) at https://api.example.test/v1/chat; see https://platform.openai.com/x',
      target,
    );
    assert.ok(!out.includes('abcdefghijklmnop'), out);
    assert.ok(!out.includes('mnop'), out);
    assert.ok(!out.includes('https://'), out);
    assert.match(out, /^Incorrect API key provided/);
  });

  it('bounds the length', () => {
    assert.ok(sanitize('x '.repeat(2000), undefined).length <= 513);
  });
});
