/**
 * The admin API: a Fastify app over the config service. Every route declares JSON schemas for its
 * params, query, body and responses; they validate input and also generate `/openapi.json`, so the
 * document cannot drift from what the API accepts.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import { KEYWAY_VERSION } from '../core/version.js';
import type { ValidateFunction } from 'ajv';
import { KeywayError } from '../core/errors.js';
import { MAX_JSON_DEPTH, jsonTextTooDeep } from '../core/json-depth.js';
import {
  BODY_AJV_OPTIONS,
  JsonText,
  RAW_JSON_MIN_BYTES,
  RawJson,
  type BodySchema,
} from '../core/json-text.js';
import { createAjv } from '../core/validator.js';
import type { Actor } from '../control/types.js';
import { createAuthenticator, type Principal } from './auth.js';
import { authorize, requirePermissions } from './authorize.js';
import { MAX_PARAM_LENGTH, answerClientError, requestIdFor, toKeywayError } from './http-errors.js';
import { AdminRequestLog, logRequest, pathOnly } from './request-log.js';
import { documentationOnly } from './schemas.js';
import type { AdminDeps } from './types.js';
import type { RouteContext } from './route-context.js';
import { workspaceRoutes } from './routes/workspaces.js';
import { resourceRoutes } from './routes/resources.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { configRoutes } from './routes/config.js';
import { auditRoutes } from './routes/audit.js';
import { statusRoutes } from './routes/status.js';
import { pluginCatalogRoutes } from './routes/plugins-catalog.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { usageRoutes } from './routes/usage.js';
import { explainRoutes } from './routes/explain.js';
import { upstreamHealthRoutes } from './routes/upstream-health.js';
import { logRoutes } from './routes/logs.js';
import { analyticsRoutes } from './routes/analytics.js';
import { alertRoutes } from './routes/alerts.js';
import { historyRoutes } from './routes/history.js';
import { portalRoutes } from './routes/portal.js';
import { LOGIN_PATH, adminUserRoutes } from './routes/admin-users.js';
import { METRICS_PATH, metricsRoutes, metricsTokenMatches } from './routes/metrics.js';
import { consoleCredentials, consoleSessionRoutes } from './console-session.js';
import { builtWebApp, serveStaticSite } from '../web/static-site.js';
import { OPENAPI_PATH, swaggerOptions } from './openapi/document.js';

export type { AdminDeps, NodeStatus } from './types.js';

const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;
/**
 * Reachable without a token: load balancers and orchestrators probe these; a login is how one gets one;
 * the OpenAPI document describes the API and holds no configuration (unless `admin.public_openapi` is off).
 */
const PROBES_AND_LOGIN = ['/health', '/ready', LOGIN_PATH];

/**
 * Routes whose handler hands the body to the config service, which parses a `RawJson` where it makes
 * the change, say so with `config: { rawBody: true }`; every other route gets parsed JSON.
 */
function acceptsRawBody(req: FastifyRequest): boolean {
  return req.routeOptions.config?.rawBody === true;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The handler takes a large body as `RawJson` (src/core/json-text.ts). */
    rawBody?: boolean;
  }
}

export async function buildAdminApp(deps: AdminDeps): Promise<FastifyInstance> {
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const PUBLIC_ROUTES = new Set([
    ...PROBES_AND_LOGIN,
    ...(deps.publicOpenApi === false ? [] : [OPENAPI_PATH]),
  ]);
  const base = {
    bodyLimit,
    genReqId: requestIdFor,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, ignoreTrailingSlash: true },
    return503OnClosing: true,
    // `req.ip` (the login throttle's key) is the client behind a trusted proxy, never a header's claim otherwise.
    trustProxy: deps.trustedProxies === undefined ? false : [...deps.trustedProxies],
    // Errors raised before routing (an undecodable URL, an oversized path parameter) and HTTP that does
    // not parse: Fastify answers those in its own shape unless told otherwise.
    frameworkErrors: (err: Error, req: FastifyRequest, reply: FastifyReply) => {
      const { error } = toKeywayError(err, bodyLimit);
      return reply.code(error.status).header('x-request-id', req.id).send(error.toBody(req.id));
    },
    clientErrorHandler: answerClientError,
    logController: new AdminRequestLog(),
  };
  const app: FastifyInstance =
    deps.logger === undefined || deps.logger === false
      ? Fastify({ ...base, logger: false })
      : (Fastify({
          ...base,
          // Fastify takes a logger instance's own `req` serializer over its default (full URL).
          loggerInstance: deps.logger.child({}, { serializers: { req: logRequest } }),
        }) as unknown as FastifyInstance);

  // Bodies are validated strictly: unknown fields are an error (not silently dropped, Fastify's
  // default), and "5" is not 5. Query strings and params are text by nature, so they are coerced. Both
  // know the project's formats (date-time, iana-time-zone): unknown, they were ignored with a warning.
  const bodyAjv = createAjv(BODY_AJV_OPTIONS);
  const textAjv = createAjv({
    allErrors: true,
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: true,
    strict: false,
  });
  let schemaIds = 0;
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === 'body' && documentationOnly.has(schema)) return () => true;
    const ajv = httpPart === 'body' ? bodyAjv : textAjv;
    const bodySchema: BodySchema | undefined =
      httpPart === 'body' ? { id: `admin-body-${++schemaIds}`, schema } : undefined;
    // Compiled on first use, not at start: the admin API declares about a hundred schemas and a node
    // calls few of them; compiling all up front cost about 12 MB of RSS (measured with process.memoryUsage
    // after startNode), which the proxy's memory budget needs more.
    let compiled: ValidateFunction | undefined;
    const lazy = (data: unknown): boolean => {
      // A large body is checked where it is parsed (the config thread), against this same schema.
      if (data instanceof RawJson) {
        data.schema = bodySchema;
        lazy.errors = undefined;
        return true;
      }
      compiled ??= ajv.compile(schema);
      const ok = compiled(data);
      lazy.errors = compiled.errors;
      return ok;
    };
    lazy.errors = undefined as ValidateFunction['errors'];
    return lazy;
  });
  // Response schemas document the API; serializing through them would silently drop fields that are
  // not declared (free-form plugin `config`), so responses are plain JSON; an answer serialized already
  // (by the config thread) is sent as it is.
  app.setSerializerCompiler(() => (data) => (data instanceof JsonText ? data.text : JSON.stringify(data)));
  // Only JSON bodies: Fastify also parses text/plain by default, which no admin route takes.
  app.removeContentTypeParser('text/plain');
  // Many HTTP clients send `content-type: application/json` on every request, even a bodiless DELETE;
  // that is not an error. Everything else goes through Fastify's parser (it refuses __proto__ keys).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    if (bytes.length === 0 && (req.method === 'DELETE' || req.method === 'GET')) {
      done(null, undefined);
      return;
    }
    // A large body for a route that takes one (resources, declarative documents) stays bytes: it is
    // parsed and checked off the proxy's thread (src/core/json-text.ts).
    if (bytes.length >= RAW_JSON_MIN_BYTES && acceptsRawBody(req)) {
      done(null, new RawJson(bytes));
      return;
    }
    const text = bytes.toString('utf8');
    // Measured on the text, before parsing: every recursive walk of a value nested thousands of levels
    // deep (JSON.stringify, structuredClone, schema checks) would overflow the stack.
    if (jsonTextTooDeep(text)) {
      done(new KeywayError('KW_ERR_BODY_TOO_DEEP', { limit: MAX_JSON_DEPTH }), undefined);
      return;
    }
    void parseJson(req, text, done);
  });

  const principals = new WeakMap<FastifyRequest, Principal>();
  const authenticator = deps.authenticator ?? createAuthenticator(deps.store, deps.now);
  requirePermissions(app, (url) => PUBLIC_ROUTES.has(url));

  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
    if (req.routeOptions.url !== undefined && PUBLIC_ROUTES.has(req.routeOptions.url)) return;
    // The console's files and its sign-in endpoints (console-session.ts) check what they need themselves.
    if (req.routeOptions.config?.public === true) return;
    // Scrapers may hold a read-only metrics token instead of the admin token (routes/metrics.ts).
    if (
      req.routeOptions.url === METRICS_PATH &&
      metricsTokenMatches(req.headers, deps.observe?.settings.metricsToken)
    )
      return;
    // A token header, or the console's session cookie (with its CSRF check on a request that changes things).
    principals.set(req, await authenticator.authenticate(consoleCredentials(req)));
  });
  // After the body is parsed (`POST /config` names its workspace there), before it is validated: a
  // caller without the role learns nothing from the schema's answers.
  app.addHook('preValidation', async (req) => {
    const principal = principals.get(req);
    // Public routes, metrics scrapers with the metrics token, and unknown paths (answered 404 next).
    if (principal === undefined || req.is404) return;
    authorize(req, principal);
  });

  app.setErrorHandler((err, req, reply) => {
    const { error, unexpected } = toKeywayError(err, bodyLimit);
    if (unexpected) req.log.error({ err }, 'admin request failed');
    void reply.code(error.status);
    for (const [name, value] of Object.entries(error.headers ?? {})) void reply.header(name, value);
    return reply.send(error.toBody(req.id));
  });

  app.setNotFoundHandler((req, reply) => {
    const path = pathOnly(req.url).slice(0, 256);
    const error = new KeywayError('KW_ERR_ADMIN_ROUTE_NOT_FOUND', { method: req.method, path });
    return reply.code(error.status).send(error.toBody(req.id));
  });

  await app.register(swagger, swaggerOptions(app, KEYWAY_VERSION));

  const principalOf = (req: FastifyRequest): Principal => {
    const principal = principals.get(req);
    // Only reachable if a route was added to PUBLIC_ROUTES and still asks for an actor.
    if (principal === undefined) throw new KeywayError('KW_ERR_UNAUTHORIZED');
    return principal;
  };
  const ctx: RouteContext = {
    deps,
    authenticator,
    principal: principalOf,
    actor: (req): Actor => ({ name: principalOf(req).name }),
  };
  statusRoutes(app, ctx);
  workspaceRoutes(app, ctx);
  resourceRoutes(app, ctx);
  subscriptionRoutes(app, ctx);
  configRoutes(app, ctx);
  auditRoutes(app, ctx);
  pluginCatalogRoutes(app, ctx);
  apiKeyRoutes(app, ctx);
  usageRoutes(app, ctx);
  explainRoutes(app, ctx);
  upstreamHealthRoutes(app, ctx);
  logRoutes(app, ctx);
  analyticsRoutes(app, ctx);
  alertRoutes(app, ctx);
  metricsRoutes(app, ctx);

  const passwordLogin = adminUserRoutes(app, ctx);
  historyRoutes(app, ctx);
  portalRoutes(app, ctx);
  if (deps.console !== false) {
    // The web console (docs/console.md): its pages at /console/, signed in by an HttpOnly cookie.
    consoleSessionRoutes(app, ctx, passwordLogin);
    await serveStaticSite(app, {
      prefix: '/console/',
      root: deps.console?.dir ?? builtWebApp('console'),
      name: 'console',
    });
    app.get('/', { schema: { hide: true }, config: { public: true } }, (_req, reply) =>
      reply.redirect('/console/'),
    );
  }
  // Made once, on first request (about 200 ms), and kept: the routes do not change while the app runs.
  app.get(
    OPENAPI_PATH,
    { schema: { hide: true }, config: { permission: { area: 'catalog', action: 'read' } } },
    async () => app.swagger(),
  );
  await app.ready();
  return app;
}
