/**
 * The subscription workflow's rules, shared by single-resource writes (config-service.ts) and
 * `keyway apply` (declarative.ts): the status a new subscription starts in (the service's `approval`),
 * which status may follow which, the reason a refusal needs, and who decided when. `decided_by` and
 * `decided_at` are Keyway's to set: an unchanged status keeps the stored ones, so an exported document
 * applies back with no change.
 */
import { KeywayError, validationError } from '../core/errors.js';
import { SERVICE_DEFAULTS } from '../model/service.js';
import {
  subscriptionKey,
  type ResourceTypes,
  type Stored,
  type SubscriptionStatus,
  type WorkspaceState,
} from '../model/index.js';
import type { DesiredItem, DesiredState } from './normalize.js';

type Subscription = ResourceTypes['subscriptions'];

/** The admin actions (`POST …/subscriptions/{id}/<action>`): the status each leads to, and from where. */
export const SUBSCRIPTION_ACTIONS = {
  approve: { to: 'approved', from: ['pending'] },
  reject: { to: 'rejected', from: ['pending'] },
  suspend: { to: 'suspended', from: ['approved'] },
  resume: { to: 'approved', from: ['suspended'] },
  revoke: { to: 'revoked', from: ['pending', 'approved', 'suspended'] },
} as const satisfies Record<string, { to: SubscriptionStatus; from: readonly SubscriptionStatus[] }>;

export type SubscriptionAction = keyof typeof SUBSCRIPTION_ACTIONS;

/** Statuses that must say why. */
const NEEDS_REASON: ReadonlySet<SubscriptionStatus> = new Set(['rejected', 'suspended', 'revoked']);

/** Whether `to` may follow `from`: some action leads there. Rejected and revoked are final. */
export function canMove(from: SubscriptionStatus, to: SubscriptionStatus): boolean {
  if (from === to) return true;
  return Object.values(SUBSCRIPTION_ACTIONS).some(
    (a) => a.to === to && (a.from as readonly SubscriptionStatus[]).includes(from),
  );
}

/** The 409 for a move the workflow does not have, naming both statuses. */
export function moveError(key: string, from: SubscriptionStatus, to: SubscriptionStatus): KeywayError {
  const final = from === 'rejected' || from === 'revoked';
  return new KeywayError('KW_ERR_SUBSCRIPTION_STATE', {
    reason:
      `subscription "${key}" is ${from} and cannot become ${to}` +
      (final ? ` (${from} is final: create a new subscription)` : ''),
  });
}

export interface SettleInput {
  input: Subscription;
  existing: Subscription | undefined;
  /** The `approval` of the subscription's service (undefined: the service is unknown, the default). */
  approval: 'auto' | 'manual' | undefined;
  actor: string;
  now: string;
  /** JSON pointer of the resource in its document ('' for an admin API body). */
  path?: string;
}

/** The subscription as it is stored: status filled in, the move checked, the decision stamped. */
export function settleSubscription({
  input,
  existing,
  approval,
  actor,
  now,
  path = '',
}: SettleInput): Subscription {
  const out: Subscription = { ...input };
  if (existing !== undefined && (existing.app !== input.app || existing.service !== input.service)) {
    const field = existing.app !== input.app ? 'app' : 'service';
    throw validationError([
      { path: `${path}/${field}`, message: 'cannot change: subscribe anew for another app or service' },
    ]);
  }
  if (existing === undefined) {
    if (out.status === undefined) {
      out.status = (approval ?? SERVICE_DEFAULTS.approval) === 'auto' ? 'approved' : 'pending';
      if (out.status === 'approved') stamp(out, 'auto-approval', now);
    } else if (out.status !== 'pending' && (out.decided_by === undefined || out.decided_at === undefined)) {
      // Created already decided (a restored export keeps who and when; anything else is this admin's call).
      stamp(out, actor, now);
    }
    if (out.status === 'pending') {
      delete out.decided_by;
      delete out.decided_at;
    }
  } else {
    const from = existing.status ?? 'pending';
    const to = out.status ?? from;
    out.status = to;
    if (!canMove(from, to)) throw moveError(`${input.app}@${input.service}`, from, to);
    if (to === from) {
      keepDecision(out, existing);
    } else {
      stamp(out, actor, now);
      // A refusal's reason does not outlive it: approving again (a PATCH of the status alone) drops it.
      if (to === 'approved' && out.reason !== undefined && out.reason === existing.reason) delete out.reason;
    }
  }
  if (out.status !== undefined && NEEDS_REASON.has(out.status) && (out.reason ?? '').trim() === '') {
    throw validationError([
      { path: `${path}/reason`, message: `a ${out.status} subscription needs a reason` },
    ]);
  }
  return out;
}

function stamp(out: Subscription, by: string, at: string): void {
  out.decided_by = by;
  out.decided_at = at;
}

function keepDecision(out: Subscription, existing: Subscription): void {
  if (existing.decided_by === undefined) delete out.decided_by;
  else out.decided_by = existing.decided_by;
  if (existing.decided_at === undefined) delete out.decided_at;
  else out.decided_at = existing.decided_at;
}

/**
 * `keyway apply`: the document's subscriptions settled against the stored workspace, as single writes
 * are (a subscription without `status` keeps the stored one, or starts by its service's approval mode).
 * The service's mode is the document's when it lists the service, else the stored one.
 */
export function settleDocument(
  desired: DesiredState,
  stored: WorkspaceState | undefined,
  actor: string,
  now: string,
): DesiredState {
  if (!desired.items.some((i) => i.kind === 'subscriptions')) return desired;
  const approval = new Map<string, 'auto' | 'manual' | undefined>();
  for (const s of stored?.services ?? []) approval.set(s.name, s.approval);
  for (const i of desired.items) {
    if (i.kind === 'services') approval.set(i.key, (i.resource as ResourceTypes['services']).approval);
  }
  const have = new Map((stored?.subscriptions ?? []).map((s) => [subscriptionKey(s), s]));
  const items = desired.items.map((item): DesiredItem => {
    if (item.kind !== 'subscriptions') return item;
    const input = item.resource as Subscription;
    const old = have.get(item.key);
    const resource = settleSubscription({
      input,
      existing: old === undefined ? undefined : withoutMeta(old),
      approval: approval.get(input.service),
      actor,
      now,
      path: item.path,
    });
    return { ...item, resource };
  });
  return { ...desired, items };
}

function withoutMeta(s: Stored<'subscriptions'>): Subscription {
  const { id: _i, created_at: _c, updated_at: _u, ...rest } = s;
  return rest;
}
