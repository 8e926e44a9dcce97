/**
 * A developer's subscriptions: subscribe one of their apps to a public service under a plan the portal
 * offers, see where each request stands, cancel one. The workflow is the admin API's
 * (control/subscription-rules.ts): the service's `approval` decides whether it starts `approved` or
 * `pending`, and a pending one is reported to the `subscription` alert rules as the admin API does.
 *
 * The reason an admin gives when rejecting, suspending or revoking is shown to the developer: they are
 * the requester, the reason is written for them (docs/subscriptions.md: never to the API's callers,
 * which the portal is not).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import { nameSchema } from '../../model/common.js';
import type { ResourceView } from '../../control/types.js';
import type { Developer } from '../../store/portal.js';
import { API, type PortalContext } from '../context.js';
import { appLabel, ownApp } from '../ownership.js';
import { listAll, offeredPlans, publicService } from './catalog.js';

export function subscriptionView(
  dev: Developer,
  workspace: string,
  s: ResourceView<'subscriptions'>,
): object {
  const status = s.status ?? 'pending';
  return {
    id: s.id,
    workspace,
    app: appLabel(dev, s.app),
    service: s.service,
    ...(s.plan === undefined ? {} : { plan: s.plan }),
    status,
    ...(s.reason === undefined || status === 'approved' || status === 'pending' ? {} : { reason: s.reason }),
    ...(s.decided_at === undefined ? {} : { decided_at: s.decided_at }),
    created_at: s.created_at,
  };
}

async function ownSubscriptions(
  ctx: PortalContext,
  dev: Developer,
  workspace: string,
): Promise<ResourceView<'subscriptions'>[]> {
  const prefix = `${dev.consumer}.`;
  return (await listAll(ctx.deps.config, 'subscriptions', workspace)).filter((s) => s.app.startsWith(prefix));
}

export function subscriptionRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const { deps } = ctx;

  app.get(`${API}/subscriptions`, async (req: FastifyRequest) => {
    const dev = ctx.developer(req);
    const data: object[] = [];
    for (const ws of deps.settings.workspaces)
      for (const s of await ownSubscriptions(ctx, dev, ws)) data.push(subscriptionView(dev, ws, s));
    return { data };
  });

  app.post<{ Params: { workspace: string; app: string }; Body: { service: string; plan?: string } }>(
    `${API}/apps/:workspace/:app/subscriptions`,
    {
      schema: {
        params: {
          type: 'object',
          required: ['workspace', 'app'],
          properties: { workspace: nameSchema, app: nameSchema },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['service'],
          properties: { service: nameSchema, plan: nameSchema },
        },
      },
    },
    async (req, reply) => {
      const dev = ctx.developer(req);
      const { workspace } = req.params;
      const a = await ownApp(ctx, dev, workspace, req.params.app);
      const service = await publicService(ctx, workspace, req.body.service);
      const plan = req.body.plan;
      if (plan !== undefined && !(await offeredPlans(ctx, workspace)).some((p) => p.name === plan)) {
        throw new KeywayError(
          'KW_ERR_VALIDATION',
          { reason: `plan "${plan}" is not offered in the portal` },
          { details: [{ path: '/plan', message: `plan "${plan}" is not offered in the portal` }] },
        );
      }
      const created = await deps.config.create(
        'subscriptions',
        workspace,
        { app: a.name, service: service.name, ...(plan === undefined ? {} : { plan }) },
        ctx.actor(req),
      );
      if (created.status === 'pending') {
        deps.observe?.subscriptionAlerts.pending({
          workspace,
          id: created.id,
          app: created.app,
          service: created.service,
          plan: created.plan,
          requested_by: ctx.actor(req).name,
          at: ctx.now(),
        });
      }
      return reply.code(201).send(subscriptionView(dev, workspace, created));
    },
  );

  app.delete<{ Params: { workspace: string; id: string } }>(
    `${API}/subscriptions/:workspace/:id`,
    {
      schema: {
        params: {
          type: 'object',
          required: ['workspace', 'id'],
          properties: { workspace: nameSchema, id: { type: 'string', minLength: 1, maxLength: 128 } },
        },
      },
    },
    async (req, reply) => {
      const dev = ctx.developer(req);
      const ws = ctx.workspace(req.params.workspace);
      const mine = (await ownSubscriptions(ctx, dev, ws)).find((s) => s.id === req.params.id);
      if (mine === undefined)
        throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'subscription', name: req.params.id });
      // Cancelling is leaving: the app's calls to the service stop with the subscription.
      await deps.config.delete('subscriptions', ws, mine.id, ctx.actor(req));
      return reply.code(204).send();
    },
  );
}
