/**
 * Conversions between table rows and the objects the store hands out, and the small error helpers the
 * transaction operations share.
 */
import { KeywayError, validationError } from '../core/errors.js';
import {
  KINDS,
  emptyWorkspaceState,
  type ResourceKind,
  type ResourceTypes,
  type Stored,
  type WorkspaceState,
} from '../model/index.js';
import type { ResourceTable, WorkspaceTable } from './schema.js';
import type { StoredWorkspace } from './types.js';

/**
 * Every resource table has the same columns; Kysely's types are simplest over one literal table name,
 * so the kind is presented as `services` for typing while the SQL names the real table.
 */
export function table(kind: ResourceKind): 'services' {
  return kind as 'services';
}

export function toResource<K extends ResourceKind>(row: ResourceTable): Stored<K> {
  const data = JSON.parse(row.data) as ResourceTypes[K];
  return { ...data, id: row.id, created_at: row.created_at, updated_at: row.updated_at };
}

export function toWorkspace(row: WorkspaceTable): StoredWorkspace {
  const data = JSON.parse(row.data) as { description?: string; tags?: string[] };
  return { id: row.id, name: row.name, ...data, created_at: row.created_at, updated_at: row.updated_at };
}

export function workspaceData(ws: { description?: string; tags?: string[] }): string {
  const data: { description?: string; tags?: string[] } = {};
  if (ws.description !== undefined) data.description = ws.description;
  if (ws.tags !== undefined) data.tags = ws.tags;
  return JSON.stringify(data);
}

export function emptyState(ws: StoredWorkspace): WorkspaceState {
  const state = emptyWorkspaceState(ws.name);
  if (ws.description !== undefined) state.description = ws.description;
  if (ws.tags !== undefined) state.tags = ws.tags;
  return state;
}

export function pushRows(state: WorkspaceState, kind: ResourceKind, rows: ResourceTable[]): void {
  const list = state[kind] as Stored<ResourceKind>[];
  for (const row of rows) list.push(toResource(row));
}

export function tagsOf(resource: { tags?: string[] }): string[] {
  return Array.isArray(resource.tags) ? resource.tags : [];
}

export function parseCursor(after: string | undefined): number {
  if (after === undefined || after === '') return 0;
  if (!/^[0-9]{1,9}$/.test(after))
    throw validationError([{ path: 'after', message: 'is not a valid cursor' }]);
  return Number(after);
}

export function conflict(reason: string): KeywayError {
  return new KeywayError('KW_ERR_CONFLICT', { reason });
}

/** A concurrent writer can still win the race past the pre-check: report that as the same conflict. */
export function rethrowUnique(kind: ResourceKind, key: string): (err: unknown) => never {
  return (err) => {
    const code = (err as { code?: unknown }).code;
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw conflict(`${KINDS[kind].singular} "${key}" already exists`);
    }
    throw err;
  };
}
