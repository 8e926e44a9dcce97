/**
 * An alert that is an event (a quota crossing, a new network) may be seen by several nodes at once. Its
 * history row has an id every node derives the same way, and is inserted before the webhook is called:
 * the node whose insert lands sends it, the others find the row and send nothing.
 */
import { createHash } from 'node:crypto';
import type { ObserveDb } from '../store/observe-db.js';
import type { AlertEventTable } from '../store/schema.js';
import { deliver } from './webhook.js';

/** `<prefix>-<hash of the parts>`: the same event gets the same id on every node. */
export function eventId(prefix: string, parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(`${part}\u0000`);
  return `${prefix}-${h.digest('base64url').slice(0, 32)}`;
}

/**
 * Records the event and sends the webhook, unless another node already did; true when this one did.
 * Without a hook (no rule wants the event) the history still says it happened.
 */
export async function fireOnce(
  store: ObserveDb,
  event: AlertEventTable,
  hook: { webhook_url: string; secret: string } | undefined,
  payload: unknown,
): Promise<boolean> {
  const inserted = await store.db
    .insertInto('alert_events')
    .values(event)
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
  if (hook === undefined) return true;
  const status = await deliver(hook.webhook_url, hook.secret, payload, Date.now());
  await store.db
    .updateTable('alert_events')
    .set({ delivery_status: status })
    .where('id', '=', event.id)
    .execute();
  return true;
}

/** The fields every event alert's webhook starts with; each kind adds its own section. */
export function firingPayload(
  rule: { name: string; id: string; kind: string; threshold?: number | undefined; scope: unknown },
  value: number,
  subject: string,
): Record<string, unknown> {
  return {
    alert: rule.name,
    rule_id: rule.id,
    kind: rule.kind,
    state: 'firing',
    value,
    threshold: rule.threshold,
    scope: rule.scope,
    subject,
  };
}
