/**
 * Admin roles and what each may do: the one permission table (role × area × action). Every admin
 * endpoint declares the area and action it touches (`config.permission`, see `authorize.ts`); every
 * check is a lookup here, and docs/admin-users.md prints this table (a test compares them).
 *
 * Areas are the resource kinds, plus what is not a kind: API keys, whole workspaces, declarative
 * documents, audit, call logs, analytics, usage; admin users (a workspace admin manages their own team's);
 * and the node-wide areas (alerts, metrics) that only a grant on every workspace (`*`) can reach.
 */
import { RESOURCE_KINDS, type ResourceKind } from '../model/index.js';

export const ADMIN_ROLES = ['super_admin', 'workspace_admin', 'api_publisher', 'approver', 'viewer'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export type Action = 'read' | 'write';

/** Areas that live inside one workspace: a grant on that workspace (or on `*`) reaches them. */
export const WORKSPACE_AREAS = [
  ...RESOURCE_KINDS,
  'api_keys',
  'workspaces',
  'config',
  'audit',
  'logs',
  'analytics',
  'usage',
] as const;
/**
 * Admin users and their tokens: a super admin manages every user; a workspace admin manages the users of
 * the workspaces they administer, and only within them (team-scope.ts decides which users and grants;
 * the `/admins` routes declare `absent: 'visible'` and narrow to the caller's team).
 */
export const TEAM_AREAS = ['admins'] as const;
/**
 * Node-wide areas: alert rules and history, Prometheus metrics. Only a grant on `*` reaches them
 * (`status` and `catalog` are read by every role: the node's health and the list of plugins it knows,
 * nothing of any workspace).
 */
export const NODE_AREAS = ['alerts', 'metrics', 'status', 'catalog'] as const;

export type WorkspaceArea = ResourceKind | (typeof WORKSPACE_AREAS)[number];
export type NodeArea = (typeof NODE_AREAS)[number];
export type TeamArea = (typeof TEAM_AREAS)[number];
export type Area = WorkspaceArea | TeamArea | NodeArea;
export const AREAS: readonly Area[] = [...WORKSPACE_AREAS, ...TEAM_AREAS, ...NODE_AREAS];

/** What an API publisher writes: the APIs themselves, not who calls them. */
const PUBLISHER_WRITES: ReadonlySet<Area> = new Set<Area>([
  'upstreams',
  'services',
  'routes',
  'plugins',
  'plans',
  'ai_providers',
  'ai_models',
  'prompt_apis',
]);
/** What an approver (developer relations) writes: who calls the APIs, and their keys. */
const APPROVER_WRITES: ReadonlySet<Area> = new Set<Area>(['consumers', 'apps', 'api_keys', 'subscriptions']);
/** Read by every role, whatever the workspace of its grant. */
const EVERYONE_READS: ReadonlySet<Area> = new Set<Area>(['status', 'catalog']);

function actions(role: AdminRole, area: Area): readonly Action[] {
  if (role === 'super_admin') return ['read', 'write'];
  if (EVERYONE_READS.has(area)) return ['read'];
  // A workspace admin manages their team's admin users (never beyond their own rights: team-scope.ts).
  if (area === 'admins') return role === 'workspace_admin' ? ['read', 'write'] : [];
  // A viewer on `*` reads everything node-wide.
  if ((NODE_AREAS as readonly string[]).includes(area)) return role === 'viewer' ? ['read'] : [];
  if (role === 'workspace_admin') return ['read', 'write'];
  if (role === 'api_publisher' && PUBLISHER_WRITES.has(area)) return ['read', 'write'];
  if (role === 'approver' && APPROVER_WRITES.has(area)) return ['read', 'write'];
  // A declarative apply rewrites the whole workspace, consumers and services alike: the workspace
  // admin's. Everyone else reads everything of their workspace (logs and analytics included).
  return ['read'];
}

/** The table itself, built once: PERMISSIONS[role][area] lists the allowed actions. */
export const PERMISSIONS: Readonly<Record<AdminRole, Readonly<Record<Area, readonly Action[]>>>> =
  Object.fromEntries(
    ADMIN_ROLES.map((role) => [role, Object.fromEntries(AREAS.map((area) => [area, actions(role, area)]))]),
  ) as Record<AdminRole, Record<Area, readonly Action[]>>;

export function isNodeArea(area: Area): area is NodeArea {
  return (NODE_AREAS as readonly string[]).includes(area);
}

export function isAdminRole(role: string): role is AdminRole {
  return (ADMIN_ROLES as readonly string[]).includes(role);
}

/** Every workspace: the only workspace a super admin may be granted on. */
export const ALL_WORKSPACES = '*';

export interface Grant {
  workspace: string;
  role: AdminRole;
}

/**
 * May these grants do `action` on `area` in `workspace`? `workspace` is the workspace the request touches,
 * or `*` when it touches every workspace (a log search without one) or none (node-wide areas).
 */
export function allowed(grants: readonly Grant[], area: Area, action: Action, workspace: string): boolean {
  return grants.some((g) => {
    if (!PERMISSIONS[g.role][area].includes(action)) return false;
    if (EVERYONE_READS.has(area)) return true;
    return g.workspace === ALL_WORKSPACES || (workspace !== ALL_WORKSPACES && g.workspace === workspace);
  });
}
