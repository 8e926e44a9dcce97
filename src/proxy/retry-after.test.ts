import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retryAfterMs } from './retry-after.js';

describe('Retry-After', () => {
  const now = Date.UTC(2026, 11, 8, 12);
  it('reads delay-seconds and HTTP-dates (RFC 9110 §10.2.3)', () => {
    assert.equal(retryAfterMs('3', now), 3_000);
    assert.equal(retryAfterMs(' 0 ', now), 0);
    assert.equal(retryAfterMs(new Date(now + 5_000).toUTCString(), now), 5_000);
    assert.equal(retryAfterMs(new Date(now - 5_000).toUTCString(), now), 0, 'a past date is now');
  });
  it('ignores what it cannot read', () => {
    assert.equal(retryAfterMs(undefined, now), undefined);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs('-1', now), undefined);
  });
});
