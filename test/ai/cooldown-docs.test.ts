/**
 * Which provider answers cool a key is decided in one place (src/ai/providers/common/failure.ts) and told
 * in three pages. This keeps the pages and the code from drifting apart again: the statuses every adapter
 * cools a key for are computed from the adapters themselves, and each page's sentence about cooling must
 * name exactly those.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AI_PROVIDER_TYPES } from '../../src/model/ai-provider.js';
import { adapterFor } from '../../src/ai/providers/index.js';

const doc = (name: string): string => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8');

/** Statuses a text names: `401`, `429`, and `5xx` as every status of the class. */
function statusesIn(text: string): number[] {
  const out = new Set<number>();
  for (const m of text.matchAll(/\b([1-5])(\d\d|xx)\b/g)) {
    if (m[2] === 'xx') for (let s = 0; s < 100; s++) out.add(Number(m[1]) * 100 + s);
    else out.add(Number(m[0]));
  }
  return [...out].sort((a, b) => a - b);
}

describe('provider key cooldowns: docs and code agree', () => {
  const cooling = (type: (typeof AI_PROVIDER_TYPES)[number]): number[] => {
    const adapter = adapterFor(type);
    const out: number[] = [];
    for (let status = 300; status < 600; status++)
      if (adapter.failure(status, '', {}).keyProblem) out.push(status);
    return out;
  };
  const expected = cooling('openai');

  it('every real provider type cools a key for the same statuses; the mock cools nothing', () => {
    assert.deepEqual(expected, [401, 403, 429]);
    for (const type of AI_PROVIDER_TYPES)
      assert.deepEqual(cooling(type), type === 'mock' ? [] : expected, type);
  });

  it('declarative-config.md names them on cooldown_ms', () => {
    const row = doc('declarative-config.md')
      .split('\n')
      .find((l) => l.startsWith('| `cooldown_ms`'));
    assert.ok(row !== undefined, 'no cooldown_ms row');
    const meaning = row.split('|').at(-2) ?? '';
    assert.deepEqual(statusesIn(meaning), expected, meaning);
  });

  it('ai-routing.md names them under key pools and cooldowns', () => {
    const section = doc('ai-routing.md').split('## Key pools and cooldowns')[1]?.split('\n\n')[1] ?? '';
    const sentence = section.split('. ').find((s) => s.includes('cooldown_ms')) ?? '';
    assert.deepEqual(statusesIn(sentence.replace(/\(default [^)]*\)/, '')), expected, sentence);
  });
});
