/**
 * Admin users, their grants and tokens (`/admins`), and the password login (`POST /login`). A super admin
 * manages every user; a workspace admin their own team's, within it (team-scope.ts). A user the caller
 * does not see answers 404, as if absent. A token or session is in the answer that makes it and nowhere
 * else: the store keeps its SHA-256 hash.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KeywayError, validationError } from '../../core/errors.js';
import { nameSchema } from '../../model/common.js';
import type { AdminGrant, StoredAdminToken, StoredAdminUser } from '../../store/types.js';
import { generateAdminToken, hashAdminToken } from '../admin-token.js';
import { ADMIN_ROLES, ALL_WORKSPACES } from '../permissions.js';
import { DEFAULT_LOGIN_POLICY, LoginThrottle } from '../login-throttle.js';
import { PASSWORD_MAX, PASSWORD_MIN, SESSION_MS, hashPassword, verifyPassword } from '../passwords.js';
import type { RouteContext } from '../route-context.js';
import {
  checkGrantable,
  checkLastAdmin,
  checkWhole,
  mergeGrants,
  sees,
  teamScope,
  teamView,
  type TeamScope,
} from '../team-scope.js';
import { errorResponses } from '../schemas.js';

export const LOGIN_PATH = '/login';
const DAY_MS = 86_400_000;

const grantSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['workspace', 'role'],
  properties: {
    workspace: {
      anyOf: [nameSchema, { const: ALL_WORKSPACES }],
      description: 'A workspace, or `*` for all.',
    },
    role: { enum: ADMIN_ROLES },
  },
} as const;
const grantsSchema = { type: 'array', maxItems: 256, items: grantSchema } as const;
const passwordSchema = { type: 'string', minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX } as const;
const userParams = {
  type: 'object',
  required: ['name'],
  properties: { name: nameSchema },
} as const;
const anyObject = { type: 'object' } as const;

interface UserBody {
  name: string;
  grants?: AdminGrant[];
  password?: string;
}
interface TokenBody {
  name: string;
  ttl_days?: number;
}

/** Refuses grants that could not mean anything: super admin is every workspace's, or nothing. */
function checkGrants(grants: AdminGrant[], workspaces: ReadonlySet<string>): void {
  grants.forEach((g, i) => {
    if (g.role === 'super_admin' && g.workspace !== ALL_WORKSPACES)
      throw validationError([
        { path: `/grants/${i}/workspace`, message: 'super_admin is granted on "*" (every workspace) only' },
      ]);
    if (g.workspace !== ALL_WORKSPACES && !workspaces.has(g.workspace))
      throw validationError([{ path: `/grants/${i}/workspace`, message: `no workspace "${g.workspace}"` }]);
  });
}

/** Logs a user in from an address (its failures are throttled per address). */
export type PasswordLogin = (user: string, password: string, ip: string) => Promise<LoginSession>;

/** Registers the routes; answers the password login, for the console's sign-in to share. */
export function adminUserRoutes(app: FastifyInstance, ctx: RouteContext): PasswordLogin {
  const { deps, actor } = ctx;
  const admins = deps.store.admins;
  const now = deps.now ?? Date.now;
  const tags = ['admins'];
  // `visible`: any workspace admin passes the role check; the handlers narrow to the caller's team.
  const read = { permission: { area: 'admins', action: 'read', absent: 'visible' } } as const;
  const write = { permission: { area: 'admins', action: 'write', absent: 'visible' } } as const;
  const scopeOf = (req: FastifyRequest): TeamScope => teamScope(ctx.principal(req).grants);
  /** The user, if the caller sees them; else 404, as if absent (another team's users are not named). */
  const visibleUser = async (scope: TeamScope, name: string): Promise<StoredAdminUser> => {
    const user = await admins.get(name);
    if (!sees(scope, user)) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'admin user', name });
    return user;
  };
  /** Every user, as they would be after `change` (undefined: deleted), for the last-admin check. */
  const lastAdminCheck = async (
    scope: TeamScope,
    name: string,
    change: StoredAdminUser | undefined,
  ): Promise<void> => {
    if (scope.superAdmin) return;
    const all = await admins.list();
    const after = all.flatMap((u) => (u.name !== name ? [u] : change === undefined ? [] : [change]));
    checkLastAdmin(scope, all, after);
  };
  const policy = deps.login ?? DEFAULT_LOGIN_POLICY;
  const throttle = new LoginThrottle({
    policy,
    ...(deps.counters === undefined ? {} : { shared: deps.counters }),
    ...(deps.now === undefined ? {} : { now: deps.now }),
  });
  app.addHook('onClose', () => throttle.close());

  /**
   * A password login: a session token for 12 hours, or KW_ERR_ADMIN_LOGIN_FAILED / KW_ERR_ADMIN_LOCKED_OUT /
   * the address's throttle. `POST /login` and the console's sign-in (console-session.ts) both log in here.
   */
  const passwordLogin: PasswordLogin = async (user, password, ip) => {
    // The address first: a throttled address learns nothing about the user it names.
    const attempt = await throttle.begin(ip);
    const login = await admins.login(user);
    const at = now();
    if (login?.locked_until != null && Date.parse(login.locked_until) > at)
      throw new KeywayError('KW_ERR_ADMIN_LOCKED_OUT', { until: login.locked_until });
    // Unknown users and users without a password check a decoy: the answer takes as long either way.
    const ok = await verifyPassword(password, login?.password_hash ?? null);
    if (login === undefined || login.user.disabled === true || !ok) {
      attempt.failed();
      if (login !== undefined && !ok) {
        const failed = login.failed_logins + 1;
        const locked = failed >= policy.maxFailures ? new Date(at + policy.lockoutMs).toISOString() : null;
        // A lockout starts the count again: the next failure after it ends locks at once.
        await admins.setLoginState(user, locked === null ? failed : policy.maxFailures - 1, locked);
      }
      // A disabled user with the right password hears what a wrong password hears.
      throw new KeywayError('KW_ERR_ADMIN_LOGIN_FAILED');
    }
    await attempt.succeeded();
    if (login.failed_logins !== 0 || login.locked_until !== null) await admins.setLoginState(user, 0, null);
    const token = generateAdminToken();
    const expires = new Date(at + SESSION_MS).toISOString();
    const session = await admins.addToken(
      user,
      {
        name: 'login',
        hash: hashAdminToken(token),
        kind: 'session',
        created_at: new Date(at).toISOString(),
        expires_at: expires,
      },
      user,
    );
    return { token, id: session.id, user, expires_at: expires, grants: login.user.grants };
  };
  const workspaces = async (): Promise<Set<string>> =>
    new Set((await deps.config.listWorkspaces()).map((w) => w.name));

  app.get(
    '/admins',
    {
      config: read,
      schema: { tags, summary: 'List admin users', response: { 200: anyObject, ...errorResponses } },
    },
    async (req) => {
      const scope = scopeOf(req);
      return { data: (await admins.list()).filter((u) => sees(scope, u)).map((u) => teamView(scope, u)) };
    },
  );

  app.post<{ Body: UserBody }>(
    '/admins',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create an admin user with grants (role per workspace) and, for a person, a password',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: nameSchema, grants: grantsSchema, password: passwordSchema },
        },
        response: { 201: anyObject, ...errorResponses },
      },
    },
    async (req, reply) => {
      const grants = req.body.grants ?? [];
      const scope = scopeOf(req);
      // Grantable first: a workspace outside the team is refused whether it exists or not.
      checkGrantable(scope, grants);
      if (!scope.superAdmin && grants.length === 0)
        throw new KeywayError('KW_ERR_ADMIN_GRANT_FORBIDDEN', {
          reason: '/grants: a workspace admin creates users with a role in one of their workspaces',
        });
      checkGrants(grants, await workspaces());
      const user = await admins.create(
        {
          name: req.body.name,
          grants,
          ...(req.body.password === undefined
            ? {}
            : { password_hash: await hashPassword(req.body.password) }),
        },
        actor(req).name,
      );
      return reply.code(201).send(teamView(scope, user));
    },
  );

  app.get<{ Params: { name: string } }>(
    '/admins/:name',
    {
      config: read,
      schema: {
        tags,
        summary: 'Get an admin user',
        params: userParams,
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req) => {
      const scope = scopeOf(req);
      return teamView(scope, await visibleUser(scope, req.params.name));
    },
  );

  app.patch<{
    Params: { name: string };
    Body: { grants?: AdminGrant[]; password?: string | null; disabled?: boolean };
  }>(
    '/admins/:name',
    {
      config: write,
      schema: {
        tags,
        summary:
          "Change an admin user's grants (a workspace admin: those in their workspaces), set (null: remove) their password, or disable or enable them",
        params: userParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            grants: grantsSchema,
            password: { anyOf: [passwordSchema, { type: 'null' }] },
            disabled: { type: 'boolean' },
          },
        },
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req) => {
      const { grants, password, disabled } = req.body;
      const scope = scopeOf(req);
      const current = await visibleUser(scope, req.params.name);
      if (password !== undefined) checkWhole(scope, current, 'set their password');
      if (disabled !== undefined) checkWhole(scope, current, disabled ? 'disable them' : 'enable them');
      if (grants !== undefined) {
        checkGrantable(scope, grants);
        checkGrants(grants, await workspaces());
      }
      const change: { grants?: AdminGrant[]; password_hash?: string | null; disabled?: boolean } = {};
      if (grants !== undefined) change.grants = mergeGrants(scope, current.grants, grants);
      if (disabled !== undefined) change.disabled = disabled;
      await lastAdminCheck(scope, current.name, {
        ...current,
        grants: change.grants ?? current.grants,
        disabled: disabled ?? current.disabled === true,
      });
      if (password !== undefined)
        change.password_hash = password === null ? null : await hashPassword(password);
      const user = await admins.update(req.params.name, change, actor(req).name);
      // New grants apply to the user's tokens at once on this node (other nodes: within 10 s).
      ctx.authenticator.forget((p) => p.user === user.name);
      return teamView(scope, user);
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/admins/:name',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete an admin user and every token of theirs',
        params: userParams,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (req, reply) => {
      const scope = scopeOf(req);
      const current = await visibleUser(scope, req.params.name);
      checkWhole(scope, current, 'delete them');
      await lastAdminCheck(scope, current.name, undefined);
      await admins.delete(req.params.name, actor(req).name);
      ctx.authenticator.forget((p) => p.user === req.params.name);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { name: string } }>(
    '/admins/:name/tokens',
    {
      config: read,
      schema: {
        tags,
        summary: "List an admin user's tokens and sessions (never the tokens themselves)",
        params: userParams,
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req) => {
      await visibleUser(scopeOf(req), req.params.name);
      return { data: await admins.listTokens(req.params.name) };
    },
  );

  app.post<{ Params: { name: string }; Body: TokenBody }>(
    '/admins/:name/tokens',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a token for an admin user (the token is in this answer only)',
        params: userParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: nameSchema,
            ttl_days: { type: 'integer', minimum: 1, maximum: 3650, default: 90 },
          },
        },
        response: { 201: anyObject, ...errorResponses },
      },
    },
    async (req, reply) => {
      const scope = scopeOf(req);
      checkWhole(scope, await visibleUser(scope, req.params.name), 'make tokens for them');
      const token = generateAdminToken();
      const at = now();
      const stored = await admins.addToken(
        req.params.name,
        {
          name: req.body.name,
          hash: hashAdminToken(token),
          kind: 'token',
          created_at: new Date(at).toISOString(),
          expires_at: new Date(at + (req.body.ttl_days ?? 90) * DAY_MS).toISOString(),
        },
        actor(req).name,
      );
      return reply.code(201).send({ ...stored, token });
    },
  );

  app.delete<{ Params: { name: string; id: string } }>(
    '/admins/:name/tokens/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Revoke a token or session of an admin user: the next call with it gets 401',
        params: {
          type: 'object',
          required: ['name', 'id'],
          properties: { name: nameSchema, id: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req): Promise<StoredAdminToken> => {
      const scope = scopeOf(req);
      checkWhole(scope, await visibleUser(scope, req.params.name), 'revoke their tokens');
      const revoked = await admins.revokeToken(req.params.name, req.params.id, actor(req).name);
      ctx.authenticator.forget((p) => p.tokenId === revoked.id);
      return revoked;
    },
  );

  app.post<{ Body: { user: string; password: string } }>(
    LOGIN_PATH,
    {
      schema: {
        tags,
        summary: 'Log in with a user name and password: a session token (no admin token needed)',
        security: [],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['user', 'password'],
          properties: {
            user: nameSchema,
            password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX },
          },
        },
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req) => passwordLogin(req.body.user, req.body.password, req.ip),
  );
  return passwordLogin;
}

export interface LoginSession {
  /** The session token: in this answer only. */
  token: string;
  id: string;
  user: string;
  expires_at: string;
  grants: AdminGrant[];
}
