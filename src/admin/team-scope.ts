/**
 * Which admin users, and which of their grants, a caller manages. A super admin manages everyone. A
 * workspace admin manages their **team**: the grants on the workspaces they administer (on `*` too when
 * their own grant is on `*`), and never a `super_admin` grant. So a workspace admin:
 *
 * - sees the users holding a grant in their team, with those grants only (a grant elsewhere is another
 *   team's business, and its workspace is not named);
 * - grants only roles on their own workspaces, `workspace_admin` at most — never above their own rights;
 * - changes a user's grants within the team only: the rest are kept as they are;
 * - sets a password, makes or revokes tokens, disables or deletes only a user whose every grant is in
 *   the team — taking over someone with rights elsewhere would raise the caller above their own;
 * - cannot leave a workspace of theirs without an enabled workspace admin (the team would be locked out
 *   until a super admin steps in).
 */
import { KeywayError } from '../core/errors.js';
import type { AdminGrant, StoredAdminUser } from '../store/types.js';
import { ALL_WORKSPACES, type Grant } from './permissions.js';

export interface TeamScope {
  /** A super admin: no narrowing at all. */
  readonly superAdmin: boolean;
  /** Workspaces administered; `*` among them means every workspace. */
  readonly workspaces: ReadonlySet<string>;
}

export function teamScope(grants: readonly Grant[]): TeamScope {
  const workspaces = new Set<string>();
  let superAdmin = false;
  for (const g of grants) {
    if (g.role === 'super_admin') superAdmin = true;
    else if (g.role === 'workspace_admin') workspaces.add(g.workspace);
  }
  return { superAdmin, workspaces };
}

/** Is this grant one the caller manages? */
export function inTeam(scope: TeamScope, g: AdminGrant): boolean {
  if (scope.superAdmin) return true;
  if (g.role === 'super_admin') return false;
  return scope.workspaces.has(ALL_WORKSPACES) || scope.workspaces.has(g.workspace);
}

/** The caller sees this user (a grant of theirs is in the caller's team). */
export function sees(scope: TeamScope, user: StoredAdminUser): boolean {
  return scope.superAdmin || user.grants.some((g) => inTeam(scope, g));
}

/** The user as the caller sees them: only the grants of the caller's team. */
export function teamView(scope: TeamScope, user: StoredAdminUser): StoredAdminUser {
  return scope.superAdmin ? user : { ...user, grants: user.grants.filter((g) => inTeam(scope, g)) };
}

/** The caller manages the whole user: every grant of theirs is in the caller's team. */
export function managesWholly(scope: TeamScope, user: StoredAdminUser): boolean {
  return scope.superAdmin || (user.grants.length > 0 && user.grants.every((g) => inTeam(scope, g)));
}

function refused(reason: string): KeywayError {
  return new KeywayError('KW_ERR_ADMIN_GRANT_FORBIDDEN', { reason });
}

/** Refuses grants the caller may not give, naming the first (`/grants/N`). */
export function checkGrantable(scope: TeamScope, grants: readonly AdminGrant[]): void {
  if (scope.superAdmin) return;
  grants.forEach((g, i) => {
    if (g.role === 'super_admin')
      throw refused(`/grants/${i}/role: only a super admin may grant super_admin`);
    if (!inTeam(scope, g))
      throw refused(
        `/grants/${i}/workspace: you administer no workspace "${g.workspace}" (a workspace admin grants roles in their own workspaces only)`,
      );
  });
}

/** The user's grants after the caller replaces those of their team with `grants`. */
export function mergeGrants(
  scope: TeamScope,
  current: readonly AdminGrant[],
  grants: readonly AdminGrant[],
): AdminGrant[] {
  if (scope.superAdmin) return [...grants];
  return [...current.filter((g) => !inTeam(scope, g)), ...grants];
}

/** Refuses a change to the whole user (password, tokens, disable, delete) the caller may not make. */
export function checkWhole(scope: TeamScope, user: StoredAdminUser, what: string): void {
  if (!managesWholly(scope, user))
    throw refused(
      `admin user "${user.name}" has rights outside the workspaces you administer: only a super admin may ${what}`,
    );
}

/**
 * Refuses a change that would leave one of the caller's workspaces without an enabled workspace admin.
 * `before` and `after` are every user, before and after the change. A super admin may (they can always
 * appoint another), and so may anyone for a workspace that had none.
 */
export function checkLastAdmin(
  scope: TeamScope,
  before: readonly StoredAdminUser[],
  after: readonly StoredAdminUser[],
): void {
  if (scope.superAdmin) return;
  const admins = (users: readonly StoredAdminUser[], ws: string) =>
    users.filter(
      (u) => u.disabled !== true && u.grants.some((g) => g.role === 'workspace_admin' && g.workspace === ws),
    ).length;
  for (const ws of scope.workspaces)
    if (admins(before, ws) > 0 && admins(after, ws) === 0)
      throw refused(
        `this would leave ${ws === ALL_WORKSPACES ? 'every workspace ("*")' : `workspace "${ws}"`} without an enabled workspace admin`,
      );
}
