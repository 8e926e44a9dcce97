/**
 * Admin users, their grants and tokens (`/admins`), and the password login (`POST /login`). Managing
 * admins is the super admin's (the `admins` area is node-wide). A token or session is in the answer that
 * makes it and nowhere else: the store keeps its SHA-256 hash.
 */
import type { FastifyInstance } from 'fastify';
import { KeywayError, validationError } from '../../core/errors.js';
import { nameSchema } from '../../model/common.js';
import type { AdminGrant, StoredAdminToken } from '../../store/types.js';
import { generateAdminToken, hashAdminToken } from '../admin-token.js';
import { ADMIN_ROLES, ALL_WORKSPACES } from '../permissions.js';
import {
  LOCKOUT_MS,
  MAX_FAILED_LOGINS,
  PASSWORD_MAX,
  PASSWORD_MIN,
  SESSION_MS,
  hashPassword,
  verifyPassword,
} from '../passwords.js';
import type { RouteContext } from '../route-context.js';
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

export function adminUserRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { deps, actor } = ctx;
  const admins = deps.store.admins;
  const now = deps.now ?? Date.now;
  const tags = ['admins'];
  const read = { permission: { area: 'admins', action: 'read' } } as const;
  const write = { permission: { area: 'admins', action: 'write' } } as const;
  const workspaces = async (): Promise<Set<string>> =>
    new Set((await deps.config.listWorkspaces()).map((w) => w.name));

  app.get(
    '/admins',
    {
      config: read,
      schema: { tags, summary: 'List admin users', response: { 200: anyObject, ...errorResponses } },
    },
    async () => ({
      data: await admins.list(),
    }),
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
      return reply.code(201).send(user);
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
    async (req) => admins.get(req.params.name),
  );

  app.patch<{ Params: { name: string }; Body: { grants?: AdminGrant[]; password?: string | null } }>(
    '/admins/:name',
    {
      config: write,
      schema: {
        tags,
        summary: "Change an admin user's grants, or set (null: remove) their password",
        params: userParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { grants: grantsSchema, password: { anyOf: [passwordSchema, { type: 'null' }] } },
        },
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req) => {
      const { grants, password } = req.body;
      if (grants !== undefined) checkGrants(grants, await workspaces());
      const change: { grants?: AdminGrant[]; password_hash?: string | null } = {};
      if (grants !== undefined) change.grants = grants;
      if (password !== undefined)
        change.password_hash = password === null ? null : await hashPassword(password);
      const user = await admins.update(req.params.name, change, actor(req).name);
      // New grants apply to the user's tokens at once on this node (other nodes: within 10 s).
      ctx.authenticator.forget((p) => p.user === user.name);
      return user;
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
    async (req) => ({ data: await admins.listTokens(req.params.name) }),
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
    async (req) => passwordLogin(ctx, req.body.user, req.body.password),
  );
}

export interface LoginSession {
  /** The session token: in this answer only. */
  token: string;
  id: string;
  user: string;
  expires_at: string;
  grants: AdminGrant[];
}

/**
 * A password login: a session token for 12 hours, or KW_ERR_ADMIN_LOGIN_FAILED / KW_ERR_ADMIN_LOCKED_OUT.
 * `POST /login` and the console's sign-in (console-session.ts) both log in through it.
 */
export async function passwordLogin(
  ctx: RouteContext,
  user: string,
  password: string,
): Promise<LoginSession> {
  const admins = ctx.deps.store.admins;
  const now = ctx.deps.now ?? Date.now;
  const login = await admins.login(user);
  const at = now();
  if (login?.locked_until != null && Date.parse(login.locked_until) > at)
    throw new KeywayError('KW_ERR_ADMIN_LOCKED_OUT', { until: login.locked_until });
  // Unknown users and users without a password check a decoy: the answer takes as long either way.
  const ok = await verifyPassword(password, login?.password_hash ?? null);
  if (login === undefined) throw new KeywayError('KW_ERR_ADMIN_LOGIN_FAILED');
  if (!ok) {
    const failed = login.failed_logins + 1;
    const locked = failed >= MAX_FAILED_LOGINS ? new Date(at + LOCKOUT_MS).toISOString() : null;
    // A lockout starts the count again: the next failure after it ends locks at once.
    await admins.setLoginState(user, locked === null ? failed : MAX_FAILED_LOGINS - 1, locked);
    throw new KeywayError('KW_ERR_ADMIN_LOGIN_FAILED');
  }
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
}
