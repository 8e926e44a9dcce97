import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBase64url, randomHex, randomUuid } from './random-id.js';

describe('random ids', () => {
  it('gives ids of the asked size that do not repeat, across refills of the pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const hex = randomHex(16);
      const b64 = randomBase64url(18);
      assert.match(hex, /^[0-9a-f]{32}$/);
      assert.match(b64, /^[A-Za-z0-9_-]{24}$/);
      seen.add(hex).add(b64);
    }
    assert.equal(seen.size, 4000);
  });

  it('gives version 4 UUIDs in their text form, none repeated', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = randomUuid();
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(id);
    }
    assert.equal(seen.size, 2000);
  });
});
