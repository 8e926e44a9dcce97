/**
 * A developer's apps and their keys: register, list, rename, delete an app; list keys (visible id
 * only), create one (the key is in that answer only), rotate with a grace period, revoke. Keys go
 * through the node's one key engine (keys/key-service.ts), as the admin API's do; what a developer may
 * ask of it is narrower: no tier, scopes or metadata (those are the operator's: they decide the plan and
 * what the attribute rules see).
 */
import type { FastifyInstance } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import { nameSchema } from '../../model/common.js';
import { MAX_GRACE_S } from '../../keys/key-schemas.js';
import type { Developer } from '../../store/portal.js';
import type { ResourceView } from '../../control/types.js';
import { API, type PortalContext } from '../context.js';
import { appLabel, ensureConsumer, keyView, ownApp, ownKey, storedAppName } from '../ownership.js';
import { listAll } from './catalog.js';

/** An app's name as a developer types it: the stored name adds their consumer and a dot. */
const appName = { ...nameSchema, maxLength: 100 } as const;
const description = { type: 'string', maxLength: 1024 } as const;
const appParams = {
  type: 'object',
  required: ['workspace', 'app'],
  properties: { workspace: nameSchema, app: appName },
} as const;
const keyParams = {
  type: 'object',
  required: ['workspace', 'app', 'id'],
  properties: { ...appParams.properties, id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

interface AppParams {
  workspace: string;
  app: string;
}

export function appView(dev: Developer, workspace: string, a: ResourceView<'apps'>): object {
  return {
    workspace,
    name: appLabel(dev, a.name),
    ...(a.description === undefined ? {} : { description: a.description }),
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

export async function ownApps(
  ctx: PortalContext,
  dev: Developer,
): Promise<Array<{ workspace: string; app: ResourceView<'apps'> }>> {
  const out: Array<{ workspace: string; app: ResourceView<'apps'> }> = [];
  for (const workspace of ctx.deps.settings.workspaces) {
    for (const app of await listAll(ctx.deps.config, 'apps', workspace))
      if (app.consumer === dev.consumer) out.push({ workspace, app });
  }
  return out;
}

export function appRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const { deps } = ctx;

  app.get(`${API}/apps`, async (req) => {
    const dev = ctx.developer(req);
    return { data: (await ownApps(ctx, dev)).map(({ workspace, app: a }) => appView(dev, workspace, a)) };
  });

  app.post<{ Body: { name: string; description?: string; workspace?: string } }>(
    `${API}/apps`,
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: appName, description, workspace: nameSchema },
        },
      },
    },
    async (req, reply) => {
      const dev = ctx.developer(req);
      const ws = ctx.workspace(req.body.workspace);
      await ensureConsumer(ctx, dev, ws);
      const created = await deps.config.create(
        'apps',
        ws,
        {
          name: storedAppName(dev, req.body.name),
          consumer: dev.consumer,
          ...(req.body.description === undefined ? {} : { description: req.body.description }),
          tags: ['portal'],
        },
        ctx.actor(req),
      );
      return reply.code(201).send(appView(dev, ws, created));
    },
  );

  app.get<{ Params: AppParams }>(
    `${API}/apps/:workspace/:app`,
    { schema: { params: appParams } },
    async (req) => {
      const dev = ctx.developer(req);
      return appView(dev, req.params.workspace, await ownApp(ctx, dev, req.params.workspace, req.params.app));
    },
  );

  app.patch<{ Params: AppParams; Body: { name?: string; description?: string } }>(
    `${API}/apps/:workspace/:app`,
    {
      schema: {
        params: appParams,
        body: { type: 'object', additionalProperties: false, properties: { name: appName, description } },
      },
    },
    async (req) => {
      const dev = ctx.developer(req);
      const { workspace } = req.params;
      const current = await ownApp(ctx, dev, workspace, req.params.app);
      const change: Record<string, unknown> = {};
      if (req.body.name !== undefined) change['name'] = storedAppName(dev, req.body.name);
      if (req.body.description !== undefined) change['description'] = req.body.description;
      const updated = await deps.config.patch('apps', workspace, current.id, change, ctx.actor(req));
      return appView(dev, workspace, updated);
    },
  );

  app.delete<{ Params: AppParams }>(
    `${API}/apps/:workspace/:app`,
    { schema: { params: appParams } },
    async (req, reply) => {
      const dev = ctx.developer(req);
      const { workspace } = req.params;
      const current = await ownApp(ctx, dev, workspace, req.params.app);
      // Its subscriptions go first (an app with subscriptions cannot be deleted), then the app and its keys.
      for (const s of await listAll(deps.config, 'subscriptions', workspace))
        if (s.app === current.name)
          await deps.config.delete('subscriptions', workspace, s.id, ctx.actor(req));
      await deps.config.delete('apps', workspace, current.id, ctx.actor(req));
      return reply.code(204).send();
    },
  );

  // --- keys ------------------------------------------------------------------------------------

  app.get<{ Params: AppParams }>(
    `${API}/apps/:workspace/:app/keys`,
    { schema: { params: appParams } },
    async (req) => {
      const dev = ctx.developer(req);
      const { workspace } = req.params;
      const a = await ownApp(ctx, dev, workspace, req.params.app);
      const page = await deps.keys.list(workspace, { app: a.id, limit: 1000 });
      return { data: page.data.map((k) => keyView(dev, k)) };
    },
  );

  app.post<{
    Params: AppParams;
    Body: { env?: 'live' | 'test'; expires_at?: string; expires_in_s?: number };
  }>(
    `${API}/apps/:workspace/:app/keys`,
    {
      schema: {
        params: appParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            env: { enum: ['live', 'test'] },
            expires_at: { type: 'string', format: 'date-time' },
            expires_in_s: { type: 'integer', minimum: 1, maximum: 10 * 366 * 86_400 },
          },
        },
      },
    },
    async (req, reply) => {
      const dev = ctx.developer(req);
      const { workspace } = req.params;
      const a = await ownApp(ctx, dev, workspace, req.params.app);
      const issued = await deps.keys.create(workspace, a.id, req.body ?? {}, ctx.actor(req).name);
      // The key in clear is in this answer and nowhere else: the pages show it once.
      return reply.code(201).send({ key: issued.key, record: keyView(dev, issued.record) });
    },
  );

  app.post<{ Params: AppParams & { id: string }; Body: { grace_period_s?: number } }>(
    `${API}/apps/:workspace/:app/keys/:id/rotate`,
    {
      schema: {
        params: keyParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { grace_period_s: { type: 'integer', minimum: 0, maximum: MAX_GRACE_S } },
        },
      },
    },
    async (req, reply) => {
      const dev = ctx.developer(req);
      const { workspace } = req.params;
      const a = await ownApp(ctx, dev, workspace, req.params.app);
      const old = await ownKey(ctx, workspace, a, req.params.id);
      if (old.status === 'revoked')
        throw new KeywayError('KW_ERR_CONFLICT', { reason: `key ${old.id} is revoked: create a new key` });
      const r = await deps.keys.rotate(workspace, old.id, req.body ?? {}, ctx.actor(req).name);
      return reply
        .code(201)
        .send({ key: r.key, record: keyView(dev, r.record), previous: keyView(dev, r.previous) });
    },
  );

  app.delete<{ Params: AppParams & { id: string } }>(
    `${API}/apps/:workspace/:app/keys/:id`,
    { schema: { params: keyParams } },
    async (req) => {
      const dev = ctx.developer(req);
      const { workspace } = req.params;
      const a = await ownApp(ctx, dev, workspace, req.params.app);
      const key = await ownKey(ctx, workspace, a, req.params.id);
      return keyView(dev, await deps.keys.revoke(workspace, key.id, ctx.actor(req).name));
    },
  );
}
