/**
 * `GET /portal/api/oidc/start` sends the browser to the OpenID Connect provider; the provider sends it
 * back to `GET /portal/api/oidc/callback`, which signs the developer in (a new session, as a password
 * sign-in makes) and redirects to the page the sign-in started from. Both are top-level navigations:
 * the flow cookie and `state` stand where the CSRF header stands for the other calls (oidc.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import { cookie, overTls } from '../cookies.js';
import { API, type PortalContext } from '../context.js';
import { FLOW_COOKIE, FLOW_TTL_MS, type OidcSignIn } from '../oidc.js';
import { signIn } from './account.js';

const CALLBACK = `${API}/oidc/callback`;

function flowCookie(req: FastifyRequest, value: string, maxAgeS: number): string {
  return [
    `${FLOW_COOKIE}=${value}`,
    `Path=${API}/oidc`,
    `Max-Age=${maxAgeS}`,
    'SameSite=Lax',
    'HttpOnly',
    ...(overTls(req) ? ['Secure'] : []),
  ].join('; ');
}

export function oidcRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const provider = (): OidcSignIn => {
    if (ctx.oidc === undefined)
      throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'sign-in provider', name: 'oidc' });
    return ctx.oidc;
  };
  const redirectUri = (req: FastifyRequest): string => `${ctx.origin(req)}${CALLBACK}`;

  app.get<{ Querystring: { return_to?: string } }>(
    `${API}/oidc/start`,
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { return_to: { type: 'string', maxLength: 512 } },
        },
      },
    },
    async (req, reply: FastifyReply) => {
      const { url, cookie: value } = await provider().start(redirectUri(req), req.query.return_to ?? '/');
      void reply.header('set-cookie', flowCookie(req, value, Math.floor(FLOW_TTL_MS / 1000)));
      return reply.redirect(url, 302);
    },
  );

  app.get<{ Querystring: { code?: string; state?: string; error?: string; [k: string]: unknown } }>(
    CALLBACK,
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', maxLength: 4096 },
            state: { type: 'string', maxLength: 512 },
            error: { type: 'string', maxLength: 256 },
          },
        },
      },
    },
    async (req, reply: FastifyReply) => {
      const { claims, returnTo } = await provider().finish(
        req.query,
        cookie(req, FLOW_COOKIE),
        redirectUri(req),
      );
      const developer = await ctx.accounts.oidcDeveloper(claims);
      await signIn(ctx, req, reply, developer);
      // The flow is spent: its cookie goes.
      const set = reply.getHeader('set-cookie');
      const list = set === undefined ? [] : Array.isArray(set) ? set.map(String) : [String(set)];
      void reply.header('set-cookie', [...list, flowCookie(req, '', 0)]);
      return reply.redirect(returnTo, 302);
    },
  );
}
