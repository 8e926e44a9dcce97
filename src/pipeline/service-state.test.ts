import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RetryBudget, type RetryPolicy } from './service-state.js';

const policy: RetryPolicy = {
  statuses: [503],
  backoff_ms: 10,
  max_backoff_ms: 1_000,
  budget_percent: 20,
  budget_window_ms: 10_000,
  budget_min: 3,
  retry_after_max_ms: 2_000,
};

describe('retry budget', () => {
  it('allows retries up to 20 % of the requests over the window, and the minimum on a quiet service', () => {
    let now = 0;
    const b = new RetryBudget(policy, () => now);
    let taken = 0;
    while (b.take()) taken++;
    assert.equal(taken, 3, 'budget_min with no traffic');
    b.requests += 100;
    while (b.take()) taken++;
    assert.equal(taken, 20, '20 % of 100 requests');
    // The next window: the last one's requests still count, its retries do not.
    now = 10_000;
    b.requests += 50;
    let next = 0;
    while (b.take()) next++;
    assert.equal(next, 30, '20 % of 100 + 50');
    // Long idle: old requests spread over the idle time count for little.
    now = 1_000_000;
    let idle = 0;
    while (b.take()) idle++;
    assert.equal(idle, 3);
  });

  it('backs off exponentially with full jitter, capped', () => {
    const b = new RetryBudget(policy, () => 0);
    assert.equal(
      b.backoff(1, () => 0.999),
      9,
    );
    assert.equal(
      b.backoff(3, () => 0.5),
      20,
    );
    assert.equal(
      b.backoff(20, () => 0.999),
      999,
    );
    assert.equal(
      b.backoff(2, () => 0),
      0,
    );
  });
});
