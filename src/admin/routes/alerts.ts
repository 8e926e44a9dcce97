/** Alert rules and their history: `/alerts/rules`, `/alerts/history` (docs/observability.md). */
import type { FastifyInstance } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import { alertHistory } from '../../observe/alerts/alert-engine.js';
import { newRuleSchema, type NewRule } from '../../observe/alerts/alert-rules.js';
import type { Observability } from '../../observe/observability.js';
import type { RouteContext } from '../route-context.js';
import { errorResponses } from '../schemas.js';

function observeOf(ctx: RouteContext): Observability {
  const o = ctx.deps.observe;
  if (o === undefined) throw new KeywayError('KW_ERR_NOT_READY', { reason: 'alerts are off on this node' });
  return o;
}

const anyObject = { type: 'object' } as const;

export function alertRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/alerts/rules',
    {
      config: { permission: { area: 'alerts', action: 'read' } },
      schema: {
        tags: ['observability'],
        summary: 'List alert rules (secrets are never returned)',
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async () => ({ data: await observeOf(ctx).rules.list() }),
  );

  app.post<{ Body: NewRule }>(
    '/alerts/rules',
    {
      config: { permission: { area: 'alerts', action: 'write' } },
      schema: {
        tags: ['observability'],
        summary: 'Create an alert rule; the answer shows the webhook signing secret once',
        body: newRuleSchema,
        response: { 201: anyObject, ...errorResponses },
      },
    },
    async (req, reply) => {
      const rule = await observeOf(ctx).rules.create(req.body);
      void reply.code(201);
      return rule;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/alerts/rules/:id',
    {
      config: { permission: { area: 'alerts', action: 'write' } },
      schema: {
        tags: ['observability'],
        summary: 'Delete an alert rule (by id or name)',
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 100 } } },
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (req, reply) => {
      await observeOf(ctx).rules.delete(req.params.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: { limit?: number; rule?: string } }>(
    '/alerts/history',
    {
      config: { permission: { area: 'alerts', action: 'read' } },
      schema: {
        tags: ['observability'],
        summary: 'Alert state changes, newest first, with the webhook delivery status',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            rule: { type: 'string', maxLength: 100 },
          },
        },
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req) => ({
      data: await alertHistory(observeOf(ctx).store, {
        limit: req.query.limit ?? 100,
        ...(req.query.rule === undefined ? {} : { rule: req.query.rule }),
      }),
    }),
  );
}
