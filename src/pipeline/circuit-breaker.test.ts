import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker, type BreakerPolicy } from './circuit-breaker.js';

const policy: BreakerPolicy = {
  error_rate: 0.5,
  min_requests: 10,
  window_ms: 10_000,
  consecutive_failures: 3,
  open_ms: 5_000,
  half_open_probes: 2,
  statuses: [502, 503],
};

function breaker(p: Partial<BreakerPolicy> = {}) {
  let now = 1_000_000;
  const changes: string[] = [];
  const b = new CircuitBreaker({ ...policy, ...p }, () => now);
  b.onChange = (state) => changes.push(state);
  return { b, changes, tick: (ms: number) => (now += ms) };
}

describe('circuit breaker', () => {
  it('opens after consecutive failures, refuses for open_ms, then lets a bounded number of probes through', () => {
    const { b, changes, tick } = breaker();
    b.failure();
    b.failure();
    assert.equal(b.state, 'closed');
    b.failure();
    assert.equal(b.state, 'open');
    assert.equal(b.allow(), false);
    tick(4_999);
    assert.equal(b.allow(), false);
    tick(1);
    assert.equal(b.allow(), true, 'half-open: first probe');
    assert.equal(b.state, 'half-open');
    assert.equal(b.allow(), true, 'second probe');
    assert.equal(b.allow(), false, 'no third probe while two are out');
    b.success();
    assert.equal(b.state, 'half-open');
    b.success();
    assert.equal(b.state, 'closed');
    assert.deepEqual(changes, ['open', 'half-open', 'closed']);
  });

  it('a failed probe opens it again for another open_ms', () => {
    const { b, tick } = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    tick(5_000);
    assert.equal(b.allow(), true);
    b.failure();
    assert.equal(b.state, 'open');
    tick(4_000);
    assert.equal(b.allow(), false);
    tick(1_000);
    assert.equal(b.allow(), true);
  });

  it('opens on the error rate once the window holds min_requests, not before', () => {
    const { b } = breaker({ consecutive_failures: 0 });
    // Alternating: never 3 in a row, 50 % failed.
    for (let i = 0; i < 4; i++) {
      b.success();
      b.failure();
    }
    assert.equal(b.state, 'closed', '8 requests < min_requests');
    b.success();
    b.failure();
    assert.equal(b.state, 'open', '5 of 10 failed');
  });

  it('forgets failures older than the window', () => {
    const { b, tick } = breaker({ consecutive_failures: 0, min_requests: 4 });
    b.failure();
    b.failure();
    b.success();
    tick(25_000);
    b.success();
    b.failure();
    assert.equal(b.state, 'closed', 'the first three are two windows old');
    assert.deepEqual(b.windowCounts(), { total: 2, failed: 1 });
  });

  it('probes that never report do not hold it half-open for ever', () => {
    const { b, tick } = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    tick(5_000);
    assert.equal(b.allow(), true);
    assert.equal(b.allow(), true);
    assert.equal(b.allow(), false);
    assert.equal(b.refusing(), true);
    tick(5_000);
    assert.equal(b.refusing(), false);
    assert.equal(b.allow(), true, 'a new round of probes');
  });
});
