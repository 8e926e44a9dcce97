/**
 * Compares the stored workspace with the desired state of a declarative document. Keys identify
 * resources: a renamed resource is a delete plus a create. Ids and timestamps never count as changes.
 */
import {
  KINDS,
  RESOURCE_KINDS,
  type ResourceKind,
  type ResourceTypes,
  type Stored,
  type WorkspaceState,
} from '../model/index.js';
import type { DesiredItem, DesiredState } from './normalize.js';
import { fieldsOf, userFields } from './resource-input.js';
import type { Change } from './types.js';

export interface PlannedChange {
  change: Change;
  /** The stored id, for updates and deletes. */
  id: string | undefined;
  /** The desired resource, for creates and updates. */
  resource: ResourceTypes[ResourceKind] | undefined;
}

export interface Plan {
  /** Whether the workspace itself must be created or its description changed. */
  workspace: 'create' | 'update' | undefined;
  /** In the order to apply: creates and updates by `RESOURCE_KINDS`, then deletes in reverse. */
  changes: PlannedChange[];
}

export function planChanges(stored: WorkspaceState | undefined, desired: DesiredState): Plan {
  const upserts: PlannedChange[] = [];
  const deletes: PlannedChange[] = [];
  for (const kind of RESOURCE_KINDS) {
    const have = new Map<string, Stored<ResourceKind>>();
    for (const res of stored?.[kind] ?? []) have.set(keyOf(kind, res), res);
    const want = desired.items
      .filter((i): i is DesiredItem => i.kind === kind)
      .sort((a, b) => compare(a.key, b.key));
    const wanted = new Set<string>();
    for (const item of want) {
      wanted.add(item.key);
      const current = have.get(item.key);
      if (current === undefined) {
        upserts.push({
          change: { action: 'create', kind, key: item.key, after: item.resource },
          id: undefined,
          resource: item.resource,
        });
        continue;
      }
      const before = userFields(current);
      const fields = changedFields(fieldsOf(before), fieldsOf(item.resource));
      if (fields.length > 0) {
        upserts.push({
          change: { action: 'update', kind, key: item.key, fields, before, after: item.resource },
          id: current.id,
          resource: item.resource,
        });
      }
    }
    for (const [key, res] of [...have].sort((a, b) => compare(a[0], b[0]))) {
      if (!wanted.has(key))
        deletes.push({
          change: { action: 'delete', kind, key, before: userFields(res) },
          id: res.id,
          resource: undefined,
        });
    }
  }
  // Deleting in reverse kind order removes referrers (plugins, routes) before what they refer to.
  const order = (c: PlannedChange): number => (RESOURCE_KINDS as readonly string[]).indexOf(c.change.kind);
  deletes.sort((a, b) => order(b) - order(a));

  let workspace: Plan['workspace'];
  if (stored === undefined) workspace = 'create';
  else if (stored.description !== desired.description) workspace = 'update';
  return { workspace, changes: [...upserts, ...deletes] };
}

/** Top-level fields whose values differ, compared structurally (object key order does not matter). */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compare);
  return names.filter((f) => canonical(before[f]) !== canonical(after[f]));
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
      const obj = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(obj)
          .sort(compare)
          .map((k) => [k, obj[k]]),
      );
    }) ?? 'undefined'
  );
}

function keyOf<K extends ResourceKind>(kind: K, res: ResourceTypes[K]): string {
  return KINDS[kind].key(res);
}

/** Code-point order: stable across locales, and the same order the store sorts keys in on SQLite. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
