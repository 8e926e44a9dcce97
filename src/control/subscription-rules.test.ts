/**
 * The subscription workflow's rules as pure functions: the status a subscription starts in, every move of
 * the state machine (allowed and refused), the reason a refusal needs, who decided when, and a declarative
 * document settled against the stored workspace so an export applies back with no change.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SUBSCRIPTION_STATUSES, emptyWorkspaceState, type SubscriptionStatus } from '../model/index.js';
import { isKeywayError } from '../core/errors.js';
import { canMove, settleDocument, settleSubscription } from './subscription-rules.js';

const NOW = '2026-12-07T12:00:00.000Z';
const base = { app: 'dash', service: 'weather' };

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return isKeywayError(err) ? err.code : 'not a KeywayError';
  }
  return undefined;
};

describe('subscription rules', () => {
  it('starts approved on an auto service (stamped auto-approval), pending on a manual one', () => {
    const auto = settleSubscription({
      input: base,
      existing: undefined,
      approval: 'auto',
      actor: 'ops',
      now: NOW,
    });
    assert.deepEqual(auto, { ...base, status: 'approved', decided_by: 'auto-approval', decided_at: NOW });
    for (const approval of ['manual', undefined] as const) {
      const manual = settleSubscription({
        input: base,
        existing: undefined,
        approval,
        actor: 'ops',
        now: NOW,
      });
      assert.deepEqual(manual, { ...base, status: 'pending' });
    }
  });

  it('allows exactly the moves of the actions; rejected and revoked are final', () => {
    const allowed = new Set([
      'pending>approved',
      'pending>rejected',
      'pending>revoked',
      'approved>suspended',
      'approved>revoked',
      'suspended>approved',
      'suspended>revoked',
    ]);
    for (const from of SUBSCRIPTION_STATUSES) {
      for (const to of SUBSCRIPTION_STATUSES) {
        const want = from === to || allowed.has(`${from}>${to}`);
        assert.equal(canMove(from, to), want, `${from} → ${to}`);
        const existing = {
          ...base,
          status: from,
          ...(from === 'pending' || from === 'approved' ? {} : { reason: 'r' }),
        };
        const input = { ...base, status: to, reason: 'because' };
        const code = codeOf(() =>
          settleSubscription({ input, existing, approval: 'manual', actor: 'ops', now: NOW }),
        );
        assert.equal(code, want ? undefined : 'KW_ERR_SUBSCRIPTION_STATE', `${from} → ${to}`);
      }
    }
  });

  it('stamps a change of status with the admin, keeps the stamp when the status stays', () => {
    const existing = { ...base, status: 'pending' as SubscriptionStatus };
    const approved = settleSubscription({
      input: { ...base, status: 'approved' },
      existing,
      approval: 'manual',
      actor: 'alice',
      now: NOW,
    });
    assert.equal(approved.decided_by, 'alice');
    assert.equal(approved.decided_at, NOW);
    const touched = settleSubscription({
      input: { ...base, description: 'dashboard', decided_by: 'mallory' },
      existing: approved,
      approval: 'manual',
      actor: 'bob',
      now: '2027-01-01T00:00:00.000Z',
    });
    assert.equal(touched.status, 'approved');
    assert.equal(touched.decided_by, 'alice', 'decided_by is Keyway’s to set');
    assert.equal(touched.decided_at, NOW);
  });

  it('needs a reason to reject, suspend or revoke; drops a stale one on approval', () => {
    for (const to of ['rejected', 'revoked'] as const) {
      assert.equal(
        codeOf(() =>
          settleSubscription({
            input: { ...base, status: to },
            existing: { ...base, status: 'pending' },
            approval: 'manual',
            actor: 'ops',
            now: NOW,
          }),
        ),
        'KW_ERR_VALIDATION',
      );
    }
    const resumed = settleSubscription({
      input: { ...base, status: 'approved', reason: 'overdue' },
      existing: { ...base, status: 'suspended', reason: 'overdue' },
      approval: 'manual',
      actor: 'ops',
      now: NOW,
    });
    assert.equal(resumed.reason, undefined);
  });

  it('refuses to move a subscription to another app or service', () => {
    assert.equal(
      codeOf(() =>
        settleSubscription({
          input: { app: 'other', service: 'weather' },
          existing: { ...base, status: 'approved' },
          approval: 'manual',
          actor: 'ops',
          now: NOW,
        }),
      ),
      'KW_ERR_VALIDATION',
    );
  });

  it('settles a document: the stored status and stamp kept when left out, new ones by the service in the file', () => {
    const stored = emptyWorkspaceState('default');
    const meta = { id: 'id-1', created_at: NOW, updated_at: NOW };
    stored.services.push({ name: 'weather', url: 'http://w', approval: 'manual', ...meta });
    stored.subscriptions.push({ ...base, status: 'approved', decided_by: 'alice', decided_at: NOW, ...meta });
    const desired = {
      workspace: 'default',
      description: undefined,
      selectTags: [],
      keys: [],
      details: [],
      items: [
        {
          kind: 'services' as const,
          key: 'maps',
          path: '/services/1',
          resource: { name: 'maps', url: 'http://m', approval: 'auto' as const },
        },
        {
          kind: 'subscriptions' as const,
          key: 'dash@weather',
          path: '/subscriptions/0',
          resource: { ...base },
        },
        {
          kind: 'subscriptions' as const,
          key: 'dash@maps',
          path: '/subscriptions/1',
          resource: { app: 'dash', service: 'maps' },
        },
      ],
    };
    const out = settleDocument(desired, stored, 'ops', '2027-01-01T00:00:00.000Z');
    assert.deepEqual(out.items[1]?.resource, {
      ...base,
      status: 'approved',
      decided_by: 'alice',
      decided_at: NOW,
    });
    assert.equal((out.items[2]?.resource as { status?: string }).status, 'approved');
  });
});
