/**
 * The console's sign-in: a session held in an HttpOnly cookie, so no script of the page (nor one injected
 * into it) can read the admin token, with CSRF protection on every call that changes something.
 *
 * - `POST /console/api/session` takes `{user, password}` (a password login, 12 hours, as `POST /login`) or
 *   `{token}` (an admin token: the bootstrap token of a fresh node, a user's token) and sets the cookie:
 *   `HttpOnly; SameSite=Strict; Path=/` (`Secure` over HTTPS). JSON bodies only, so a cross-site HTML form
 *   cannot sign a browser in (login CSRF).
 * - `GET /console/api/session` says who the cookie stands for, with the CSRF token.
 * - `DELETE /console/api/session` signs out: a login's session is revoked, the cookie cleared.
 *
 * Every admin endpoint takes the cookie in place of the token header (`consoleCredentials`). A cookie rides
 * along on requests other sites make, so a request that may change something (anything but GET, HEAD and
 * OPTIONS) must also carry `X-Keyway-CSRF`: a value derived from the session token (SHA-256 with a label),
 * which a page of another origin can neither read nor compute. Calls with the token in a header need no
 * CSRF token: browsers never add that header on their own.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { KeywayError, validationError } from '../core/errors.js';
import { nameSchema } from '../model/common.js';
import { presentedToken, type Principal } from './auth.js';
import { PASSWORD_MAX, SESSION_MS } from './passwords.js';
import type { RouteContext } from './route-context.js';
import type { PasswordLogin } from './routes/admin-users.js';
import { errorResponses } from './schemas.js';

export const SESSION_COOKIE = 'keyway_console';
export const CSRF_HEADER = 'x-keyway-csrf';
export const CONSOLE_SESSION_PATH = '/console/api/session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The CSRF token of a session: bound to it, useless without it, and not the token itself. */
export function csrfTokenFor(token: string): string {
  return createHash('sha256').update(`keyway console csrf\0${token}`).digest('base64url');
}

function cookieToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.cookie;
  if (header === undefined) return undefined;
  const value = parseCookies(header)[SESSION_COOKIE];
  return value === undefined || value === '' || value.length > 512 ? undefined : value;
}

function csrfMatches(headers: IncomingHttpHeaders, token: string): boolean {
  const sent = headers[CSRF_HEADER];
  if (typeof sent !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(token));
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The headers to authenticate a request with: its own when it carries a token header, else the console
 * cookie's token as a bearer token — after the CSRF check for a request that may change something.
 */
export function consoleCredentials(req: FastifyRequest): IncomingHttpHeaders {
  if (presentedToken(req.headers) !== undefined) return req.headers;
  const token = cookieToken(req.headers);
  if (token === undefined) return req.headers;
  if (!SAFE_METHODS.has(req.method) && !csrfMatches(req.headers, token))
    throw new KeywayError('KW_ERR_CSRF', { header: CSRF_HEADER });
  return { ...req.headers, authorization: `Bearer ${token}` };
}

interface SessionView {
  user: string;
  grants: Principal['grants'];
  expires_at?: string;
  csrf_token: string;
}

function view(principal: Principal, token: string): SessionView {
  const v: SessionView = {
    user: principal.user ?? principal.name,
    grants: principal.grants,
    csrf_token: csrfTokenFor(token),
  };
  if (principal.expiresAt !== undefined) v.expires_at = new Date(principal.expiresAt).toISOString();
  return v;
}

function setCookie(req: FastifyRequest, reply: FastifyReply, token: string, maxAgeS: number): void {
  void reply.header(
    'set-cookie',
    serializeCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: req.protocol === 'https',
      maxAge: Math.max(0, Math.floor(maxAgeS)),
    }),
  );
}

const signInBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    user: nameSchema,
    password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX },
    token: {
      type: 'string',
      minLength: 1,
      maxLength: 512,
      description: 'An admin token, instead of a password.',
    },
  },
} as const;

const sessionSchema = { type: 'object' } as const;
const isPublic = { public: true } as const;

/** `login`: the admin API's password login (routes/admin-users.ts), with its lockout and address throttle. */
export function consoleSessionRoutes(app: FastifyInstance, ctx: RouteContext, login: PasswordLogin): void {
  const now = ctx.deps.now ?? Date.now;
  const tags = ['console'];

  app.post<{ Body: { user?: string; password?: string; token?: string } }>(
    CONSOLE_SESSION_PATH,
    {
      config: isPublic,
      schema: {
        tags,
        summary: 'Sign the console in: a password login or an admin token, kept in an HttpOnly cookie',
        security: [],
        body: signInBody,
        response: { 200: sessionSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { user, password, token } = req.body;
      let presented: string;
      if (token !== undefined) {
        if (user !== undefined || password !== undefined)
          throw validationError([
            { path: '/token', message: 'give a token or a user and password, not both' },
          ]);
        presented = token;
      } else {
        if (user === undefined) throw validationError([{ path: '/user', message: 'is required' }]);
        if (password === undefined) throw validationError([{ path: '/password', message: 'is required' }]);
        presented = (await login(user, password, req.ip)).token;
      }
      const principal = await ctx.authenticator.authenticate({ authorization: `Bearer ${presented}` });
      const lifetime = principal.expiresAt === undefined ? SESSION_MS : principal.expiresAt - now();
      setCookie(req, reply, presented, Math.min(lifetime, SESSION_MS) / 1000);
      return view(principal, presented);
    },
  );

  app.get(
    CONSOLE_SESSION_PATH,
    {
      config: isPublic,
      schema: {
        tags,
        summary: 'Who the console is signed in as',
        response: { 200: sessionSchema, ...errorResponses },
      },
    },
    async (req) => {
      const token = cookieToken(req.headers);
      if (token === undefined) throw new KeywayError('KW_ERR_UNAUTHORIZED');
      return view(await ctx.authenticator.authenticate({ authorization: `Bearer ${token}` }), token);
    },
  );

  app.delete(
    CONSOLE_SESSION_PATH,
    {
      config: isPublic,
      schema: {
        tags,
        summary: "Sign the console out: the login's session is revoked and the cookie cleared",
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (req, reply) => {
      const token = cookieToken(req.headers);
      if (token !== undefined) {
        if (!csrfMatches(req.headers, token)) throw new KeywayError('KW_ERR_CSRF', { header: CSRF_HEADER });
        const principal = await ctx.authenticator
          .authenticate({ authorization: `Bearer ${token}` })
          .catch(() => undefined);
        // Only a login's own session ends with the sign-out: a token pasted in (the bootstrap token, a
        // user's API token) goes on working for the scripts that hold it.
        if (principal?.user !== undefined) {
          const own = (await ctx.deps.store.admins.listTokens(principal.user)).find(
            (t) => t.id === principal.tokenId,
          );
          if (own?.kind === 'session' && own.revoked_at === undefined) {
            await ctx.deps.store.admins.revokeToken(principal.user, own.id, principal.name);
            ctx.authenticator.forget((p) => p.tokenId === own.id);
          }
        }
      }
      setCookie(req, reply, '', 0);
      return reply.code(204).send();
    },
  );
}
