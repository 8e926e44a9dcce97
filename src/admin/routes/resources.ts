/**
 * CRUD for every resource kind, generated from `KINDS`: once at the top level (the default workspace)
 * and once under `/workspaces/:workspace`. A resource is addressed by its id or by its key (name,
 * username, or plugin key such as `response-headers@route=weather`, URL-encoded or not).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KeywayError, isKeywayError } from '../../core/errors.js';
import { nameSchema } from '../../model/common.js';
import { DEFAULT_WORKSPACE, KINDS, RESOURCE_KINDS, type ResourceKind } from '../../model/index.js';
import type { ListQuery } from '../../store/types.js';
import type { ResourceView } from '../../control/types.js';
import type { RouteContext } from '../route-context.js';
import { listSubscriptions, reportPending, subscriptionQuery } from './subscriptions.js';
import {
  createBody,
  errorResponses,
  listQuery,
  pageSchema,
  patchBody,
  responseSchema,
  storedSchema,
} from '../schemas.js';

interface Params {
  workspace?: string;
  idOrKey?: string;
  service?: string;
}

const idOrKey = { type: 'string', minLength: 1, maxLength: 1024 } as const;

function paramsSchema(scoped: boolean, extra: Record<string, object>): object {
  const properties: Record<string, object> = { ...(scoped ? { workspace: nameSchema } : {}), ...extra };
  return { type: 'object', required: Object.keys(properties), properties };
}

function workspaceOf(req: FastifyRequest<{ Params: Params }>): string {
  return req.params.workspace ?? DEFAULT_WORKSPACE;
}

function keyOf(req: FastifyRequest<{ Params: Params }>): string {
  const key = req.params.idOrKey;
  if (key === undefined) throw new KeywayError('KW_ERR_INTERNAL');
  return key;
}

export function resourceRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const kind of RESOURCE_KINDS) {
    kindRoutes(app, ctx, kind, '');
    kindRoutes(app, ctx, kind, '/workspaces/:workspace');
  }
  nestedRoutes(app, ctx, '');
  nestedRoutes(app, ctx, '/workspaces/:workspace');
}

function kindRoutes(
  app: FastifyInstance,
  { deps, actor }: RouteContext,
  kind: ResourceKind,
  base: string,
): void {
  const { config } = deps;
  /** A subscription a write left pending is told to the alerts (subscriptions.ts); other kinds pass. */
  const written = <T>(ws: string, req: FastifyRequest, result: T): T => {
    if (kind === 'subscriptions')
      reportPending(deps, ws, result as ResourceView<'subscriptions'>, actor(req).name);
    return result;
  };
  const def = KINDS[kind];
  const scoped = base !== '';
  const where = scoped ? 'in a workspace' : 'in the default workspace';
  const tags = [kind];
  const stored = responseSchema(kind);
  const collection = `${base}/${kind}`;
  const item = `${collection}/:idOrKey`;
  const read = { permission: { area: kind, action: 'read' as const } };
  const write = { permission: { area: kind, action: 'write' as const } };
  const itemParams = paramsSchema(scoped, {
    idOrKey: { ...idOrKey, description: `Id or key of the ${def.singular}` },
  });

  app.get<{ Params: Params; Querystring: ListQuery }>(
    collection,
    {
      config: read,
      schema: {
        tags,
        summary: `List ${kind} ${where}`,
        ...(scoped ? { params: paramsSchema(true, {}) } : {}),
        // Subscriptions filter by status, app and service too (subscriptions.ts).
        querystring: kind === 'subscriptions' ? subscriptionQuery : listQuery,
        response: { 200: pageSchema(stored), ...errorResponses },
      },
    },
    async (req) =>
      kind === 'subscriptions'
        ? listSubscriptions(deps, workspaceOf(req), req.query)
        : config.list(kind, workspaceOf(req), req.query),
  );

  app.post<{ Params: Params; Body: unknown }>(
    collection,
    {
      // A large body is parsed and checked by the config service, off the proxy's thread (app.ts).
      config: { rawBody: true, ...write },
      schema: {
        tags,
        summary: `Create a ${def.singular} ${where}`,
        ...(scoped ? { params: paramsSchema(true, {}) } : {}),
        body: createBody(kind),
        response: { 201: stored, ...errorResponses },
      },
    },
    async (req, reply) => {
      const ws = workspaceOf(req);
      const created = await config.create(kind, ws, req.body, actor(req));
      return reply.code(201).send(written(ws, req, created));
    },
  );

  app.get<{ Params: Params }>(
    item,
    {
      config: read,
      schema: {
        tags,
        summary: `Get a ${def.singular} ${where}`,
        params: itemParams,
        response: { 200: stored, ...errorResponses },
      },
    },
    async (req) => config.get(kind, workspaceOf(req), keyOf(req)),
  );

  app.put<{ Params: Params; Body: unknown }>(
    item,
    {
      // A large body is parsed and checked by the config service, off the proxy's thread (app.ts).
      config: { rawBody: true, ...write },
      schema: {
        tags,
        summary: `Replace a ${def.singular} ${where}, or create it under this key`,
        params: itemParams,
        body: createBody(kind),
        response: { 200: stored, 201: stored, ...errorResponses },
      },
    },
    async (req, reply) => {
      const ws = workspaceOf(req);
      const existed = await config.get(kind, ws, keyOf(req)).then(
        () => true,
        (err: unknown) => {
          if (isKeywayError(err) && err.code === 'KW_ERR_NOT_FOUND') return false;
          throw err;
        },
      );
      const result = await config.replace(kind, ws, keyOf(req), req.body, actor(req));
      return reply.code(existed ? 200 : 201).send(written(ws, req, result));
    },
  );

  app.patch<{ Params: Params; Body: unknown }>(
    item,
    {
      // A large body is parsed and checked by the config service, off the proxy's thread (app.ts).
      config: { rawBody: true, ...write },
      schema: {
        tags,
        summary: `Change some fields of a ${def.singular} ${where}`,
        params: itemParams,
        body: patchBody(createBody(kind)),
        response: { 200: stored, ...errorResponses },
      },
    },
    async (req) => {
      const ws = workspaceOf(req);
      return written(ws, req, await config.patch(kind, ws, keyOf(req), req.body, actor(req)));
    },
  );

  app.delete<{ Params: Params }>(
    item,
    {
      config: write,
      schema: {
        tags,
        summary: `Delete a ${def.singular} ${where}`,
        params: itemParams,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (req, reply) => {
      await config.delete(kind, workspaceOf(req), keyOf(req), actor(req));
      return reply.code(204).send();
    },
  );
}

/** `GET /services/:service/routes`: the routes of one service, same paging as any list. */
function nestedRoutes(app: FastifyInstance, { deps }: RouteContext, base: string): void {
  const scoped = base !== '';
  app.get<{ Params: Params; Querystring: ListQuery }>(
    `${base}/services/:service/routes`,
    {
      config: { permission: { area: 'routes', action: 'read' } },
      schema: {
        tags: ['routes'],
        summary: `List the routes of a service${scoped ? ' in a workspace' : ''}`,
        params: paramsSchema(scoped, { service: { ...idOrKey, description: 'Id or name of the service' } }),
        querystring: listQuery,
        response: { 200: pageSchema(storedSchema(KINDS.routes.schema)), ...errorResponses },
      },
    },
    async (req) => {
      const ws = workspaceOf(req);
      const service = await deps.config.get('services', ws, req.params.service ?? '');
      // The store's list has no service filter; a service has few routes, so filter the workspace's.
      const state = await deps.store.read((tx) => tx.loadWorkspace(ws));
      let routes = (state?.routes ?? []).filter((r) => r.service === service.name);
      const { limit = 100, after, name, tag } = req.query;
      if (name !== undefined) routes = routes.filter((r) => r.name === name);
      if (tag !== undefined) routes = routes.filter((r) => r.tags?.includes(tag) === true);
      const offset = after === undefined ? 0 : Number.parseInt(after, 10);
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw new KeywayError('KW_ERR_VALIDATION', {
          reason: 'invalid querystring: /after is not a cursor from this list',
        });
      }
      const data = routes.slice(offset, offset + limit);
      const end = offset + data.length;
      return { data, next: end < routes.length ? String(end) : null, total: routes.length };
    },
  );
}
