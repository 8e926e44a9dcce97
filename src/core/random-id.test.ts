import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBase64url, randomHex } from './random-id.js';

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
});
