/**
 * API keys: `/apps/:app/keys` to issue and list an app's keys, `/keys/:id` to read, revoke and rotate one,
 * `/apps/:app/keys/import` to bring an existing key from another gateway; each also under
 * `/workspaces/:workspace`. A new key is in the 201 answer once and nowhere else. Without a key service
 * (an admin app built without one) these routes answer KW_ERR_NOT_READY.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import { createKeyBody, importKeyBody, rotateKeyBody } from '../../keys/key-schemas.js';
import type { KeyService } from '../../keys/key-service.js';
import { nameSchema } from '../../model/common.js';
import { DEFAULT_WORKSPACE } from '../../model/index.js';
import type { RouteContext } from '../route-context.js';
import { errorResponses, pageSchema } from '../schemas.js';

interface Params {
  workspace?: string;
  app?: string;
  id?: string;
}

interface KeyQuery {
  app?: string;
  limit?: number;
  after?: string;
}

const ref = { type: 'string', minLength: 1, maxLength: 1024 } as const;

export const keyRecord = {
  type: 'object',
  required: ['id', 'workspace', 'app', 'app_id', 'visible_id', 'env', 'status', 'state', 'created_at'],
  properties: {
    id: { type: 'string' },
    workspace: { type: 'string' },
    app: { type: 'string' },
    app_id: { type: 'string' },
    visible_id: { type: 'string', description: 'Start of the key, enough to tell keys apart.' },
    env: { enum: ['live', 'test'] },
    source: { enum: ['generated', 'imported'] },
    status: { enum: ['active', 'revoked'] },
    state: { enum: ['active', 'grace', 'expired', 'revoked'] },
    scopes: { type: 'array', items: { type: 'string' } },
    metadata: { type: 'object' },
    tier: { type: 'string' },
    expires_at: { type: 'string' },
    created_at: { type: 'string' },
    revoked_at: { type: 'string' },
    replaced_by: { type: 'string' },
    grace_until: { type: 'string' },
    last_used_at: { type: 'string' },
  },
} as const;

const issued = {
  type: 'object',
  required: ['key', 'record'],
  properties: {
    key: { type: 'string', description: 'The key in clear. Shown once: store it now.' },
    record: keyRecord,
    previous: keyRecord,
  },
} as const;

const keyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    app: { ...ref, description: 'Only this app’s keys (id or name).' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    after: { type: 'string', maxLength: 64 },
  },
} as const;

const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: keyQuery.properties.limit, after: keyQuery.properties.after },
} as const;

function params(scoped: boolean, extra: Record<string, object>): object {
  const properties: Record<string, object> = { ...(scoped ? { workspace: nameSchema } : {}), ...extra };
  return { type: 'object', required: Object.keys(properties), properties };
}

export function apiKeyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const base of ['', '/workspaces/:workspace']) routes(app, ctx, base);
}

function routes(app: FastifyInstance, { deps, actor }: RouteContext, base: string): void {
  const scoped = base !== '';
  const where = scoped ? ' in a workspace' : '';
  const tags = ['keys'];
  const ws = (req: FastifyRequest<{ Params: Params }>): string => req.params.workspace ?? DEFAULT_WORKSPACE;
  const keys = (): KeyService => {
    if (deps.keys === undefined) throw new KeywayError('KW_ERR_NOT_READY', { reason: 'no key service' });
    return deps.keys;
  };
  const appParams = params(scoped, { app: { ...ref, description: 'Id or name of the app' } });
  const idParams = params(scoped, { id: { ...ref, description: 'Id of the key' } });

  app.post<{ Params: Params; Body: unknown }>(
    `${base}/apps/:app/keys`,
    {
      config: { permission: { area: 'api_keys', action: 'write' } },
      schema: {
        tags,
        summary: `Issue a new key to an app${where} (the key is in this answer only)`,
        params: appParams,
        body: createKeyBody,
        response: { 201: issued, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await keys().create(ws(req), req.params.app ?? '', req.body, actor(req).name)),
  );

  app.post<{ Params: Params; Body: unknown }>(
    `${base}/apps/:app/keys/import`,
    {
      config: { permission: { area: 'api_keys', action: 'write' } },
      schema: {
        tags,
        summary: `Import an existing key (from another gateway) for an app${where}`,
        params: appParams,
        body: importKeyBody,
        response: { 201: keyRecord, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await keys().import(ws(req), req.params.app ?? '', req.body, actor(req).name)),
  );

  app.get<{ Params: Params; Querystring: KeyQuery }>(
    `${base}/apps/:app/keys`,
    {
      config: { permission: { area: 'api_keys', action: 'read' } },
      schema: {
        tags,
        summary: `List an app's keys${where} (never the keys themselves)`,
        params: appParams,
        querystring: pageQuery,
        response: { 200: pageSchema(keyRecord), ...errorResponses },
      },
    },
    async (req) => keys().list(ws(req), { ...req.query, app: req.params.app ?? '' }),
  );

  app.get<{ Params: Params; Querystring: KeyQuery }>(
    `${base}/keys`,
    {
      config: { permission: { area: 'api_keys', action: 'read' } },
      schema: {
        tags,
        summary: `List keys${where}`,
        ...(scoped ? { params: params(true, {}) } : {}),
        querystring: keyQuery,
        response: { 200: pageSchema(keyRecord), ...errorResponses },
      },
    },
    async (req) => keys().list(ws(req), req.query),
  );

  app.get<{ Params: Params }>(
    `${base}/keys/:id`,
    {
      config: { permission: { area: 'api_keys', action: 'read' } },
      schema: {
        tags,
        summary: `Get a key's record${where}`,
        params: idParams,
        response: { 200: keyRecord, ...errorResponses },
      },
    },
    async (req) => keys().get(ws(req), req.params.id ?? ''),
  );

  app.delete<{ Params: Params }>(
    `${base}/keys/:id`,
    {
      config: { permission: { area: 'api_keys', action: 'write' } },
      schema: {
        tags,
        summary: `Revoke a key${where}: the next request with it gets 401`,
        params: idParams,
        response: { 200: keyRecord, ...errorResponses },
      },
    },
    async (req) => keys().revoke(ws(req), req.params.id ?? '', actor(req).name),
  );

  app.post<{ Params: Params; Body: unknown }>(
    `${base}/keys/:id/rotate`,
    {
      config: { permission: { area: 'api_keys', action: 'write' } },
      schema: {
        tags,
        summary: `Rotate a key${where}: a new key now, the old one valid for the grace period`,
        params: idParams,
        body: rotateKeyBody,
        response: { 201: issued, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await keys().rotate(ws(req), req.params.id ?? '', req.body, actor(req).name)),
  );
}
