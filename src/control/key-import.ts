/**
 * Keys listed under apps in a declarative file (`apps[].keys`), for teams moving from another gateway.
 *
 * A file holding keys holds secrets, so the rules are one-way: `apply` imports a listed key the store does
 * not have yet, leaves a listed key that is already there as it is (its scopes and state are managed
 * through the admin API from then on; a revoked key stays revoked), and never deletes or revokes a key the
 * file does not list. `export` writes no keys at all. The keys are hashed here and never leave the
 * transaction in clear; audit rows carry the key's id and visible id only.
 */
import { validationError, type ErrorDetail } from '../core/errors.js';
import type { ImportKeyInput } from '../keys/key-schemas.js';
import { expiryProblems, scopeProblems } from '../keys/key-service.js';
import { keyIpProblems } from '../keys/key-ip-rules.js';
import type { Stored } from '../model/index.js';
import { SqlStoreTx } from '../store/store-tx.js';
import type { NewApiKey, StoreTx } from '../store/types.js';
import type { DesiredState } from './normalize.js';
import type { Actor } from './types.js';

/** What apply needs from the key service. */
export interface KeyImporter {
  hash(key: string): string;
  importRecord(workspace: string, app: Stored<'apps'>, input: ImportKeyInput): NewApiKey;
  /** Drops a hash from this node's resolver caches (a key that was unknown a moment ago). */
  forget(hash: string): void;
}

export async function importKeys(
  tx: StoreTx,
  desired: DesiredState,
  keys: KeyImporter,
  opts: { dryRun: boolean; actor: Actor },
): Promise<{ imported: number; unchanged: number; hashes: string[] }> {
  const ws = desired.workspace;
  const apps = new Map<string, Stored<'apps'>>();
  // On a dry run the apps may not exist yet: check against the document's own resources.
  for (const item of desired.items) {
    if (item.kind === 'apps') {
      const stored = opts.dryRun ? undefined : await tx.get('apps', ws, item.key);
      apps.set(
        item.key,
        stored ?? ({ ...item.resource, id: '', created_at: '', updated_at: '' } as Stored<'apps'>),
      );
    }
  }
  const details: ErrorDetail[] = [];
  const out = { imported: 0, unchanged: 0, hashes: [] as string[] };
  for (const k of desired.keys) {
    const app = apps.get(k.app);
    if (app === undefined) continue;
    details.push(...scopeProblems(app, k.input.scopes, k.path));
    details.push(...keyIpProblems(k.input.metadata, k.path));
    const hash = keys.hash(k.input.key);
    const existing = await tx.findApiKeyByHash(hash);
    if (existing !== undefined) {
      if (existing.workspace === ws && (opts.dryRun || existing.app_id === app.id)) out.unchanged++;
      else details.push({ path: `${k.path}/key`, message: 'is already registered to another app' });
      continue;
    }
    // Only a key to be imported now: one imported earlier may have expired since, and a file that
    // applied then must apply again.
    details.push(...expiryProblems(k.input, Date.now(), k.path));
    out.imported++;
    if (opts.dryRun || details.length > 0) continue;
    const created = await tx.insertApiKey(keys.importRecord(ws, app, k.input));
    out.hashes.push(created.hash);
    await tx.audit({
      actor: opts.actor.name,
      action: 'create',
      workspace: ws,
      kind: 'api_keys',
      key: created.id,
      before: null,
      after: SqlStoreTx.auditView(created),
    });
  }
  if (details.length > 0)
    throw validationError(
      details,
      `invalid declarative document: ${details[0]?.path}: ${details[0]?.message}`,
    );
  return out;
}
