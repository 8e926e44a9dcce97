/**
 * The developer portal's server: a Fastify app on its own listener (`portal.listen`, public by default,
 * apart from the loopback admin listener). It answers the JSON API the portal's pages call under
 * `/portal/api/` and serves the pages themselves at `/` (pages.ts). docs/portal.md describes both.
 *
 * Every request's session is read from its cookie before routing; every state-changing call passes the
 * CSRF checks (csrf.ts) before its body is looked at. Errors answer in Keyway's one shape with a
 * `KW_ERR_*` code, through the admin API's own mapping (admin/http-errors.ts).
 */
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { KeywayError } from '../core/errors.js';
import { MAX_JSON_DEPTH, jsonTextTooDeep } from '../core/json-depth.js';
import { BODY_AJV_OPTIONS } from '../core/json-text.js';
import { createAjv } from '../core/validator.js';
import { MAX_PARAM_LENGTH, answerClientError, requestIdFor, toKeywayError } from '../admin/http-errors.js';
import { PortalAccounts } from './accounts.js';
import { SESSION_COOKIE, cookie } from './cookies.js';
import { checkOrigin, checkToken, ownOrigin } from './csrf.js';
import { LinkSigner } from './links.js';
import { AddressThrottle } from '../admin/login-throttle.js';
import { mountPortalPages } from './pages.js';
import { OidcSignIn } from './oidc.js';
import { oidcRoutes } from './routes/oidc.js';
import type { PortalDeps } from './types.js';
import { API, type PortalContext, type SessionState } from './context.js';
import { accountRoutes } from './routes/account.js';
import { catalogRoutes } from './routes/catalog.js';
import { appRoutes } from './routes/apps.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { usageRoutes } from './routes/usage.js';

const BODY_LIMIT = 1024 * 1024;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function buildPortalApp(deps: PortalDeps): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  const base = {
    bodyLimit: BODY_LIMIT,
    genReqId: requestIdFor,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, ignoreTrailingSlash: true },
    return503OnClosing: true,
    // `req.ip` and `req.protocol` (the Secure cookie flag) believe X-Forwarded-* from these only.
    trustProxy:
      deps.trustedProxies !== undefined && deps.trustedProxies.length > 0 ? deps.trustedProxies : false,
    frameworkErrors: (err: Error, req: FastifyRequest, reply: FastifyReply) => {
      const { error } = toKeywayError(err, BODY_LIMIT);
      return reply.code(error.status).header('x-request-id', req.id).send(error.toBody(req.id));
    },
    clientErrorHandler: answerClientError,
  };
  const app: FastifyInstance =
    deps.logger === undefined || deps.logger === false
      ? Fastify({ ...base, logger: false })
      : (Fastify({
          ...base,
          // One line per request is the admin API's habit; the portal logs failures only (below).
          loggerInstance: deps.logger.child({ listener: 'portal' }),
          logController: new LogController({ disableRequestLogging: true }),
        }) as unknown as FastifyInstance);

  // Bodies strictly (unknown fields refused, no coercion), query strings and params coerced.
  const bodyAjv = createAjv(BODY_AJV_OPTIONS);
  const textAjv = createAjv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(schema),
  );
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.length === 0 && (req.method === 'DELETE' || req.method === 'GET' || req.method === 'POST')) {
      done(null, undefined);
      return;
    }
    if (jsonTextTooDeep(text)) {
      done(new KeywayError('KW_ERR_BODY_TOO_DEEP', { limit: MAX_JSON_DEPTH }), undefined);
      return;
    }
    void parseJson(req, text, done);
  });

  const links = new LinkSigner(deps.secret, deps.store.portal, deps.settings.linkTtlMs, now);
  const throttle = new AddressThrottle({
    ...(deps.counters === undefined ? {} : { shared: deps.counters }),
    limit: deps.settings.login.ipMaxFailures,
    windowMs: deps.settings.login.ipWindowMs,
    now,
    scope: 'portal-login',
    code: 'KW_ERR_PORTAL_LOGIN_THROTTLED',
  });
  app.addHook('onClose', () => throttle.close());
  const accounts = new PortalAccounts(
    deps.store.portal,
    deps.settings,
    links,
    throttle,
    now,
    deps.logger === false ? undefined : deps.logger,
  );
  const sessions = new WeakMap<FastifyRequest, SessionState>();
  const published = new Set(deps.settings.workspaces);

  const ctx: PortalContext = {
    deps,
    accounts,
    oidc: deps.settings.oidc === undefined ? undefined : new OidcSignIn(deps.settings.oidc, deps.secret, now),
    now,
    session: (req) => sessions.get(req),
    developer(req) {
      const s = sessions.get(req);
      if (s === undefined) throw new KeywayError('KW_ERR_PORTAL_SIGNED_OUT');
      return s.developer;
    },
    origin: (req) => ownOrigin(req, deps.settings.publicUrl),
    actor: (req) => ({ name: `developer:${ctx.developer(req).email}` }),
    workspace(name) {
      const ws = name ?? deps.settings.workspaces[0];
      if (ws === undefined || !published.has(ws))
        throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'workspace', name: name ?? '' });
      return ws;
    },
  };

  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
    // API answers are about one developer: no shared cache keeps them, no browser sniffs them as HTML.
    // (The pages' own caching and security headers are the static module's, pages.ts.)
    if (req.url.startsWith(`${API}/`)) {
      void reply.header('cache-control', 'no-store');
      void reply.header('x-content-type-options', 'nosniff');
    }
    const id = cookie(req, SESSION_COOKIE);
    if (id !== undefined && id.length <= 128) {
      const found = await accounts.session(id);
      if (found !== undefined) sessions.set(req, { id, ...found });
    }
  });
  // Before the body is parsed and validated: a forged request learns nothing from the schema's answers.
  app.addHook('preParsing', async (req) => {
    if (SAFE_METHODS.has(req.method) || req.is404) return;
    checkOrigin(req, deps.settings.publicUrl);
    checkToken(req, sessions.get(req)?.csrfHash);
  });

  // A call without a body is a call with an empty one: `POST …/keys` needs nothing, and a form missing
  // its fields is told which (`must have required property 'email'`), not "body must be object".
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined && (req.method === 'POST' || req.method === 'PATCH')) req.body = {};
  });

  app.setErrorHandler((err, req, reply) => {
    const { error, unexpected } = toKeywayError(err, BODY_LIMIT);
    if (unexpected) req.log.error({ err }, 'portal request failed');
    void reply.code(error.status);
    for (const [name, value] of Object.entries(error.headers ?? {})) void reply.header(name, value);
    return reply.send(error.toBody(req.id));
  });
  app.setNotFoundHandler((req, reply) => {
    const path = (req.url.split('?')[0] ?? '').slice(0, 256);
    const error = new KeywayError('KW_ERR_NOT_FOUND', { kind: 'portal page', name: `${req.method} ${path}` });
    return reply.code(error.status).send(error.toBody(req.id));
  });

  accountRoutes(app, ctx);
  oidcRoutes(app, ctx);
  catalogRoutes(app, ctx);
  appRoutes(app, ctx);
  subscriptionRoutes(app, ctx);
  usageRoutes(app, ctx);
  await mountPortalPages(app, deps.pagesDir);
  await app.ready();
  return app;
}
