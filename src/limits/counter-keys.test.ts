/**
 * Counter keys: the remembered key is the key that would have been built, and nothing is remembered where
 * the request rather than the identity decides the subject.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Identity } from '../pipeline/identity.js';
import { compileQuota, compileRate } from './compiled-limits.js';
import { CounterKeys, identityKeyed } from './counter-keys.js';
import { policyItem } from './limit-headers.js';
import type { SubjectSource } from './subject.js';

function source(identity: Identity | undefined, routeId = 'route-1', headers = {}): SubjectSource {
  return { identity, clientIp: '203.0.113.9', route: { id: routeId }, req: { headers } };
}

const shared: Identity = Object.freeze({
  consumerId: 'c1',
  consumerName: 'acme',
  appId: 'a1',
  credentialId: 'k1',
  shared: true,
});

describe('counter keys', () => {
  it('builds workspace, limit id, route (config limits) and subject', () => {
    const keys = new CounterKeys('ws:');
    const cfg = compileRate({ limit: 10, window: '1s' }, 'cfg');
    const plan = compileRate({ limit: 10, window: '1s' }, 'plan');
    assert.equal(keys.key(source({ ...shared, shared: false }), cfg, undefined), 'ws:cfg:r:1s:route-1:k:k1');
    assert.equal(keys.key(source(undefined), plan, undefined), 'ws:plan:r:1s:i:203.0.113.9');
  });

  it('gives a shared identity the same key object on every request, and per route for config limits', () => {
    const keys = new CounterKeys('ws:');
    const cfg = compileRate({ limit: 10, window: '1s', by: ['app'] }, 'cfg');
    const first = keys.key(source(shared), cfg, undefined);
    assert.equal(first, 'ws:cfg:r:1s:route-1:a:a1');
    assert.equal(keys.key(source(shared), cfg, undefined), first);
    assert.equal(keys.key(source(shared, 'route-2'), cfg, undefined), 'ws:cfg:r:1s:route-2:a:a1');
    assert.equal(keys.key(source(shared), cfg, undefined), first);
  });

  it('builds afresh whatever the request decides: IP, header, plan, route subjects', () => {
    const keys = new CounterKeys('ws:');
    const byHeader = compileRate({ limit: 10, window: '1s', by: ['header'], header: 'x-tenant' }, 'plan');
    assert.equal(
      keys.key(source(shared, 'r', { 'x-tenant': 'Acme' }), byHeader, undefined),
      'ws:plan:r:1s:h:acme',
    );
    assert.equal(
      keys.key(source(shared, 'r', { 'x-tenant': 'beta' }), byHeader, undefined),
      'ws:plan:r:1s:h:beta',
    );
    const byPlan = compileQuota({ limit: 5, period: 'day', by: ['key', 'plan'] }, 'plan');
    assert.equal(keys.key(source(shared), byPlan, 'free'), 'ws:plan:q:day-UTC:k:k1|p:free');
    assert.equal(keys.key(source(shared), byPlan, 'gold'), 'ws:plan:q:day-UTC:k:k1|p:gold');
    assert.equal(identityKeyed(['key', 'ip']), false);
    assert.equal(identityKeyed(undefined), true);
  });

  it('compiled limits carry their RateLimit-Policy item', () => {
    assert.equal(compileRate({ limit: 10, window: '1m' }, 'cfg').policy, '"10-per-1m";q=10;w=60');
    assert.equal(
      compileQuota({ limit: 100, period: 'day' }, 'cfg').policy,
      policyItem('100-per-day', 100, 86_400),
    );
  });
});
