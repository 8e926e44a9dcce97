/**
 * The identity an API key stands for: its app's (and consumer's), with the key's id, scopes, tier and
 * metadata. One function for key-auth and `keyway explain`, so what explain says is what a request gets.
 */
import type { AppEntry, Identities, Identity } from '../../pipeline/identity.js';
import type { ApiKeyFacts } from '../../pipeline/services.js';
import { planOf } from '../../limits/plan-resolver.js';

export function keyIdentity(record: ApiKeyFacts, app: AppEntry, identities: Identities): Identity {
  const attributes: Record<string, unknown> = { key_env: record.env };
  if (record.tier !== undefined) attributes['tier'] = record.tier;
  if (record.metadata !== undefined) attributes['metadata'] = record.metadata;
  const scopes = record.scopes ?? (app.scopes === undefined ? undefined : [...app.scopes]);
  const identity = identities.appIdentity(app, {
    credentialId: record.id,
    ...(scopes === undefined ? {} : { scopes }),
    attributes,
  });
  // Neither the key nor its app lists scopes: the caller's plan (key tier > app > consumer) says.
  if (identity.scopes === undefined) {
    const planScopes = planOf(identity, identities)?.scopes;
    if (planScopes !== undefined) identity.scopes = [...planScopes];
  }
  return identity;
}
