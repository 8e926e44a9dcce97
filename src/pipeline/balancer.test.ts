import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Balancer, type Algorithm, type BalancedTarget } from './balancer.js';
import { TargetState, type HealthPolicy } from './target-state.js';

const passive: HealthPolicy = {
  passive: { failures: 2, timeouts: 1, statuses: [503], cooldown_ms: 1_000, successes: 2 },
  active: undefined,
};

function balancer(algorithm: Algorithm, addresses: string[], weights: number[] = [], now = () => 0) {
  const states = new Map<string, TargetState>();
  const b = new Balancer(
    'http:',
    addresses.map((target, i) => ({ target, weight: weights[i] ?? 100 })),
    algorithm,
    (address) => {
      const s = states.get(address) ?? new TargetState('ws', 'pool', address, now, () => undefined);
      states.set(address, s);
      return s;
    },
  );
  return { b, states };
}

const count = (picks: Array<BalancedTarget | undefined>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const p of picks) if (p !== undefined) out[p.address] = (out[p.address] ?? 0) + 1;
  return out;
};

describe('balancer', () => {
  it('least-connections spreads sequential requests (all idle) round-robin, not all to the first', () => {
    const { b } = balancer('least-connections', ['a:1', 'b:1', 'c:1']);
    const picks = Array.from({ length: 21 }, () => b.pick());
    assert.deepEqual(count(picks), { 'a:1': 7, 'b:1': 7, 'c:1': 7 });
  });

  it('least-connections goes to the target with the fewest in flight per weight', () => {
    const { b, states } = balancer('least-connections', ['a:1', 'b:1']);
    (states.get('a:1') as TargetState).active = 3;
    (states.get('b:1') as TargetState).active = 1;
    assert.equal(b.pick()?.address, 'b:1');
  });

  it('takes an unhealthy target out of rotation, and tries all when all are unhealthy', () => {
    let now = 0;
    const { b, states } = balancer('round-robin', ['a:1', 'b:1', 'c:1'], [], () => now);
    for (const s of states.values()) s.configure(passive, undefined);
    const a = states.get('a:1') as TargetState;
    a.answered(503);
    a.answered(503);
    assert.equal(a.health, 'unhealthy');
    const picks = Array.from({ length: 10 }, () => b.pick());
    assert.equal(count(picks)['a:1'], undefined);
    for (const s of states.values()) s.failed(true);
    assert.ok(
      [...states.values()].every((s) => s.health === 'unhealthy'),
      'all unhealthy',
    );
    assert.equal(Object.keys(count(Array.from({ length: 6 }, () => b.pick()))).length, 3, 'tried all');
    now = 1_000;
    b.pick();
    assert.equal(a.health, 'probation', 'back on probation after the cooldown');
    a.answered(200);
    a.answered(200);
    assert.equal(a.health, 'healthy');
  });

  it('never tries a target whose breaker is open, and says when all are', () => {
    const { b, states } = balancer('round-robin', ['a:1', 'b:1']);
    const breaker = {
      error_rate: 1,
      min_requests: 100,
      window_ms: 10_000,
      consecutive_failures: 1,
      open_ms: 1_000,
      half_open_probes: 1,
      statuses: [502],
    };
    for (const s of states.values()) s.configure({ passive: undefined, active: undefined }, breaker);
    (states.get('a:1') as TargetState).failed(false);
    assert.deepEqual(count(Array.from({ length: 4 }, () => b.pick())), { 'b:1': 4 });
    (states.get('b:1') as TargetState).answered(502);
    assert.equal(b.pick(), undefined);
    assert.equal(b.allOpen(), true);
  });

  it('consistent hashing: the same key, the same target; 1 of N leaving remaps about 1/N of the keys', () => {
    const n = 10;
    const addresses = Array.from({ length: n }, (_, i) => `10.0.0.${i + 1}:8080`);
    const keys = Array.from({ length: 20_000 }, (_, i) => `consumer-${i}`);
    const before = balancer('consistent-hashing', addresses).b;
    const first = keys.map((k) => before.pick(undefined, k)?.address);
    assert.deepEqual(
      keys.slice(0, 50).map((k) => before.pick(undefined, k)?.address),
      first.slice(0, 50),
      'stable',
    );
    const shares = Object.values(count(keys.map((k) => before.pick(undefined, k))));
    assert.ok(Math.min(...shares) > keys.length / n / 2, `spread: ${shares.join(' ')}`);
    // The fourth target leaves the configuration.
    const after = balancer(
      'consistent-hashing',
      addresses.filter((_, i) => i !== 3),
    ).b;
    let moved = 0;
    let movedOther = 0;
    keys.forEach((k, i) => {
      const now = after.pick(undefined, k)?.address;
      if (now !== first[i]) {
        moved++;
        if (first[i] !== addresses[3]) movedOther++;
      }
    });
    const share = moved / keys.length;
    console.log(
      `hashing remap: ${(share * 100).toFixed(1)}% of ${keys.length} keys moved when 1 of ${n} targets left (ideal ${100 / n}%)`,
    );
    assert.equal(movedOther, 0, 'only the leaving target’s keys move');
    assert.ok(share > 0.05 && share < 0.15, `moved ${share}`);
  });

  it('consistent hashing skips an unhealthy target: its keys go to the next on the ring, the rest stay', () => {
    const { b, states } = balancer('consistent-hashing', ['a:1', 'b:1', 'c:1']);
    const keys = Array.from({ length: 3_000 }, (_, i) => `ip-${i}`);
    const first = keys.map((k) => b.pick(undefined, k)?.address);
    const a = states.get('a:1') as TargetState;
    a.configure(passive, undefined);
    a.failed(true);
    keys.forEach((k, i) => {
      const now = b.pick(undefined, k)?.address;
      if (first[i] !== 'a:1') assert.equal(now, first[i]);
      else assert.notEqual(now, 'a:1');
    });
  });

  it('weights: smooth weighted round-robin with a target excluded for a retry', () => {
    const { b } = balancer('round-robin', ['a:1', 'b:1', 'c:1'], [5, 1, 1]);
    assert.deepEqual(Array.from({ length: 7 }, () => b.pick()?.address[0]).join(''), 'aabacaa');
    const exclude = new Set([b.targets[0]]);
    assert.deepEqual(count(Array.from({ length: 4 }, () => b.pick(exclude))), { 'b:1': 2, 'c:1': 2 });
  });
});
