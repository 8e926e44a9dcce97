/**
 * How an access check (ip-restriction, acl, access-rules, key-auth's key IP rules, a subscription check)
 * refuses: it leaves an `AccessDecision` on the context for the call record and `keyway explain`, then
 * throws its 403 — or, in shadow mode, lets the request through with the decision marked `shadow`, so an
 * operator sees what a new rule would have refused before enforcing it (docs/access-control.md).
 */
import { KeywayError, type ErrorCode } from '../core/errors.js';
import type { RequestContext } from './context.js';

/** `enforce` refuses; `shadow` only records what it would have refused. */
export type AccessMode = 'enforce' | 'shadow';

export const accessModeSchema = {
  enum: ['enforce', 'shadow'],
  default: 'enforce',
  description: '`shadow`: record what would have been denied (call record, metric) and let it through.',
} as const;

/**
 * Records that `check` refuses the request, and why (no secret: the reason reaches the call record and
 * the logs API), then throws `code` unless `mode` is shadow.
 */
export function refuseAccess(
  ctx: RequestContext,
  check: string,
  reason: string,
  mode: AccessMode,
  code: ErrorCode,
): void {
  const decision = { check, effect: mode === 'shadow' ? ('shadow' as const) : ('deny' as const), reason };
  if (ctx.decisions === undefined) ctx.decisions = [decision];
  else ctx.decisions.push(decision);
  if (mode !== 'shadow') throw new KeywayError(code);
}
