/**
 * References between resources of one workspace (`KINDS[kind].references`): those a resource makes must
 * resolve, and a resource others still name must not disappear or change its key under them.
 */
import { KeywayError, type ErrorDetail } from '../core/errors.js';
import {
  KINDS,
  RESOURCE_KINDS,
  type ResourceKind,
  type ResourceTypes,
  type WorkspaceState,
} from '../model/index.js';
import type { StoreTx } from '../store/types.js';

/** Reference fields of `resource` that name nothing in the workspace, as details on the field. */
export async function danglingReferences<K extends ResourceKind>(
  tx: StoreTx,
  kind: K,
  workspace: string,
  resource: ResourceTypes[K],
): Promise<ErrorDetail[]> {
  const details: ErrorDetail[] = [];
  const fields = resource as unknown as Record<string, unknown>;
  for (const ref of KINDS[kind].references) {
    const value = fields[ref.field];
    if (typeof value !== 'string') continue;
    if ((await tx.get(ref.kind, workspace, value)) === undefined) {
      details.push({
        path: `/${ref.field}`,
        message: `${KINDS[ref.kind].singular} "${value}" does not exist`,
      });
    }
  }
  return details;
}

export function referenceError(details: ErrorDetail[], workspace: string): KeywayError {
  const first = details[0];
  const reason =
    first === undefined
      ? 'dangling reference'
      : `${first.path}: ${first.message} in workspace "${workspace}"`;
  return new KeywayError('KW_ERR_REFERENCE', { reason }, { details });
}

/** Everything in `state` naming the resource `kind`/`key`, as `route "a"` labels. */
export function referrers(state: WorkspaceState, kind: ResourceKind, key: string): string[] {
  const out: string[] = [];
  for (const other of RESOURCE_KINDS) {
    const refs = KINDS[other].references.filter((r) => r.kind === kind);
    if (refs.length === 0) continue;
    for (const res of state[other]) {
      const fields = res as unknown as Record<string, unknown>;
      if (refs.some((r) => fields[r.field] === key)) {
        out.push(`${KINDS[other].singular} "${keyOf(other, res)}"`);
      }
    }
  }
  return out;
}

/** 409 when `kind`/`key` is still named by others and is about to vanish (delete or rename). */
export async function assertUnreferenced(
  tx: StoreTx,
  kind: ResourceKind,
  workspace: string,
  key: string,
  verb: 'deleted' | 'renamed',
): Promise<void> {
  const state = await tx.loadWorkspace(workspace);
  if (state === undefined) return;
  const users = referrers(state, kind, key);
  if (users.length === 0) return;
  throw new KeywayError('KW_ERR_CONFLICT', {
    reason: `${KINDS[kind].singular} "${key}" cannot be ${verb}: still used by ${users.join(', ')}`,
  });
}

function keyOf<K extends ResourceKind>(kind: K, res: ResourceTypes[K]): string {
  return KINDS[kind].key(res);
}
