/**
 * Which plan a caller is on. Most specific wins: the key's `tier` (when it names a plan), then the plan of
 * the app's approved subscription to the route's service (`subscription`, when the request has one), then
 * the app's `plan`, then the consumer's. A `tier` naming no plan is ignored rather than refused: tiers predate plans
 * and some keys carry free-form ones; the app and consumer still decide.
 */
import type { Plan } from '../model/index.js';
import type { Identity } from '../pipeline/identity.js';
import type { Identities } from '../pipeline/identity.js';

export function planOf(
  identity: Identity | undefined,
  idx: Identities,
  subscription?: Plan,
): Plan | undefined {
  if (identity === undefined || idx.planByName.size === 0) return undefined;
  const tier = identity.attributes?.['tier'];
  if (typeof tier === 'string') {
    const p = idx.planByName.get(tier);
    if (p !== undefined) return p;
  }
  if (subscription !== undefined) return subscription;
  if (identity.appId !== undefined) {
    const name = idx.appById.get(identity.appId)?.plan;
    if (name !== undefined) return idx.planByName.get(name);
  }
  const name = idx.consumerById.get(identity.consumerId)?.plan;
  return name === undefined ? undefined : idx.planByName.get(name);
}
