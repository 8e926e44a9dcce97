/**
 * Who an AI counter is kept for. The counter key uses the same subject parts as the limit plugins
 * (src/limits/subject.ts: ids, which the caller cannot forge or rename); alerts and usage reports show
 * the same subject with names a person recognises.
 */
import { subjectOf, type SubjectSource } from '../../limits/subject.js';
import type { Identity } from '../../pipeline/identity.js';
import type { AiKeySource } from '../../model/ai-limit-schema.js';

/** `<workspace>:ai:<counter id>:<subject>`; the store appends the period for budgets. */
export function aiCounterKey(
  workspace: string,
  counterId: string,
  ctx: SubjectSource,
  by: readonly AiKeySource[],
  plan: string | undefined,
): string {
  return `${workspace}:ai:${counterId}:${subjectOf(ctx, by, undefined, plan)}`;
}

/** The subject as a person reads it: key id, app name, consumer username, plan name (`|` between). */
export function readableSubject(
  identity: Identity | undefined,
  clientIp: string,
  by: readonly AiKeySource[],
  plan: string | undefined,
): string {
  return by.map((s) => readablePart(identity, clientIp, s, plan)).join('|');
}

function readablePart(
  id: Identity | undefined,
  clientIp: string,
  source: AiKeySource,
  plan: string | undefined,
): string {
  // Same fallbacks as subjectOf: a caller without the finer identity is counted by the coarser one.
  switch (source) {
    case 'key':
      if (id?.credentialId !== undefined) return `key ${id.credentialId}`;
      return readablePart(id, clientIp, 'app', plan);
    case 'app':
      if (id?.appId !== undefined) return `app ${id.appName ?? id.appId}`;
      return readablePart(id, clientIp, 'consumer', plan);
    case 'consumer':
      return id === undefined ? `ip ${clientIp}` : `consumer ${id.consumerName}`;
    case 'plan':
      return `plan ${plan ?? '(none)'}`;
  }
}
