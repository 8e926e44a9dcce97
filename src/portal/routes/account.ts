/**
 * The developer's account: `GET /session` (who is signed in, and the CSRF token), sign-up, sign-in,
 * sign-out, password change, password reset through a link, email verification.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../admin/passwords.js';
import type { Developer } from '../../store/portal.js';
import { API, type PortalContext } from '../context.js';
import {
  CSRF_COOKIE,
  SESSION_COOKIE,
  clearSessionCookies,
  cookie,
  setCsrfCookie,
  setSessionCookies,
} from '../cookies.js';

const email = {
  type: 'string',
  minLength: 3,
  maxLength: 254,
  // RFC 5321's limit, and one @ with something on both sides: deliverability is the link's to prove.
  pattern: '^[^@\\s]+@[^@\\s]+$',
} as const;
const password = { type: 'string', minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX } as const;
const token = { type: 'string', minLength: 1, maxLength: 256 } as const;

function body(properties: Record<string, object>, required: string[]): object {
  return { type: 'object', additionalProperties: false, required, properties };
}

/** What a developer sees of their own account. */
export function developerView(d: Developer): object {
  return {
    id: d.id,
    email: d.email,
    name: d.name,
    email_verified: d.email_verified,
    password: d.password,
    ...(d.oidc_issuer === undefined ? {} : { oidc_issuer: d.oidc_issuer }),
    created_at: d.created_at,
  };
}

/** Signs `developer` in on this reply: a new session (the old one, if any, ends) and its cookies. */
export async function signIn(
  ctx: PortalContext,
  req: FastifyRequest,
  reply: FastifyReply,
  developer: Developer,
): Promise<{ developer: object; csrf_token: string }> {
  const session = await ctx.accounts.startSession(developer, cookie(req, SESSION_COOKIE));
  setSessionCookies(req, reply, session);
  return { developer: developerView(developer), csrf_token: session.csrf };
}

export function accountRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const { accounts, deps } = ctx;

  app.get(`${API}/session`, async (req, reply) => {
    const s = ctx.session(req);
    if (s !== undefined) {
      return {
        signed_in: true,
        developer: developerView(s.developer),
        csrf_token: cookie(req, CSRF_COOKIE) ?? null,
        workspaces: deps.settings.workspaces,
      };
    }
    // A visitor gets a CSRF token for the sign-up and sign-in forms (double submit: cookie and header).
    let csrf = cookie(req, CSRF_COOKIE);
    if (csrf === undefined) {
      csrf = randomBytes(32).toString('base64url');
      setCsrfCookie(req, reply, csrf, 86_400);
    }
    return {
      signed_in: false,
      csrf_token: csrf,
      email_verification: deps.settings.emailVerification,
      workspaces: deps.settings.workspaces,
      ...(deps.settings.oidc === undefined
        ? {}
        : { oidc: { name: deps.settings.oidc.name, start: `${API}/oidc/start` } }),
    };
  });

  app.post<{ Body: { email: string; password: string; name?: string } }>(
    `${API}/signup`,
    {
      schema: {
        body: body({ email, password, name: { type: 'string', minLength: 1, maxLength: 256 } }, [
          'email',
          'password',
        ]),
      },
    },
    async (req, reply) => {
      const { developer, verify } = await accounts.signUp(req.body, ctx.origin(req));
      reply.code(201);
      if (verify) return { developer: developerView(developer), verification_required: true };
      return signIn(ctx, req, reply, developer);
    },
  );

  app.post<{ Body: { email: string; password: string } }>(
    `${API}/login`,
    {
      schema: {
        body: body({ email, password: { type: 'string', maxLength: PASSWORD_MAX } }, ['email', 'password']),
      },
    },
    async (req, reply) => {
      const developer = await accounts.signIn(req.body.email, req.body.password, req.ip);
      return signIn(ctx, req, reply, developer);
    },
  );

  app.post(`${API}/logout`, async (req, reply) => {
    const id = cookie(req, SESSION_COOKIE);
    if (id !== undefined) await accounts.endSession(id);
    clearSessionCookies(req, reply);
    return reply.code(204).send();
  });

  app.post<{ Body: { current_password: string; new_password: string } }>(
    `${API}/password`,
    {
      schema: {
        body: body(
          { current_password: { type: 'string', maxLength: PASSWORD_MAX }, new_password: password },
          ['current_password', 'new_password'],
        ),
      },
    },
    async (req, reply) => {
      const developer = ctx.developer(req);
      await accounts.changePassword(developer, req.body.current_password, req.body.new_password);
      // Every session of the account ended; this browser gets a fresh one (a new id).
      const fresh = await deps.store.portal.developer(developer.id);
      return fresh === undefined ? reply.code(204).send() : signIn(ctx, req, reply, fresh);
    },
  );

  app.post<{ Body: { email: string } }>(
    `${API}/password-reset`,
    { schema: { body: body({ email }, ['email']) } },
    async (req, reply) => {
      await accounts.requestReset(req.body.email, ctx.origin(req));
      // The same answer whether the account exists or not.
      return reply.code(202).send({ sent: true });
    },
  );

  app.post<{ Body: { token: string; password: string } }>(
    `${API}/password-reset/confirm`,
    { schema: { body: body({ token, password }, ['token', 'password']) } },
    async (req, reply) => {
      const developer = await accounts.confirmReset(req.body.token, req.body.password);
      return signIn(ctx, req, reply, developer);
    },
  );

  app.post<{ Body: { token: string } }>(
    `${API}/verify-email`,
    { schema: { body: body({ token }, ['token']) } },
    async (req, reply) => signIn(ctx, req, reply, await accounts.verifyEmail(req.body.token)),
  );
}
