/** Analytics over rollups: `GET /analytics/summary`, `/analytics/timeseries` (docs/observability.md). */
import type { FastifyInstance } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import {
  ORDERS,
  summarize,
  timeseries,
  totals,
  type AnalyticsFilter,
  type Order,
} from '../../observe/analytics.js';
import { DIMENSIONS, type Dimension, type Grain } from '../../observe/rollups.js';
import type { Observability } from '../../observe/observability.js';
import { timeWindow } from '../../observe/time-window.js';
import { queryWorkspace } from '../authorize.js';
import type { RouteContext } from '../route-context.js';
import { errorResponses } from '../schemas.js';

const text = { type: 'string', maxLength: 256 } as const;
const filterProps = {
  since: {
    type: 'string',
    maxLength: 40,
    description: 'Duration back from now (24h, 30d) or ISO time. Default 24h.',
  },
  until: { type: 'string', maxLength: 40 },
  grain: { enum: ['m', 'h', 'd'], description: 'Minute, hour or day buckets; default follows the window.' },
  workspace: text,
  service: text,
  route: text,
  consumer: text,
  app: text,
  provider: { ...text, description: 'AI calls served by this provider.' },
  model: { ...text, description: "AI calls served by this model (the provider's name for it)." },
} as const;

const DIMENSION = `(${DIMENSIONS.join('|')})`;
/** One dimension, or two separated by a comma (`consumer,model`: cost per consumer and model). */
const groupBySchema = {
  type: 'string',
  pattern: `^${DIMENSION}(,${DIMENSION})?$`,
  default: 'route',
  description: `One of ${DIMENSIONS.join(', ')}; or two, comma-separated (consumer,model).`,
} as const;

interface FilterQuery {
  since?: string;
  until?: string;
  grain?: Grain;
  workspace?: string;
  service?: string;
  route?: string;
  consumer?: string;
  app?: string;
  provider?: string;
  model?: string;
}

function observeOf(ctx: RouteContext): Observability {
  const o = ctx.deps.observe;
  if (o === undefined)
    throw new KeywayError('KW_ERR_NOT_READY', { reason: 'analytics are off on this node' });
  return o;
}

function filterOf(q: FilterQuery): AnalyticsFilter {
  const { since, until } = timeWindow(q, Date.now(), '24h');
  const f: AnalyticsFilter = { since, until };
  if (q.grain !== undefined) f.grain = q.grain;
  for (const d of ['workspace', 'service', 'route', 'consumer', 'app', 'provider', 'model'] as const) {
    const v = q[d];
    if (v !== undefined && v !== '') f[d] = v;
  }
  return f;
}

const anyObject = { type: 'object' } as const;

export function analyticsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{
    Querystring: FilterQuery & {
      group_by?: string;
      limit?: number;
      order_by?: Order;
    };
  }>(
    '/analytics/summary',
    {
      // Without `?workspace=`, totals across every workspace: a grant on `*` only.
      config: { permission: { area: 'analytics', action: 'read', workspace: queryWorkspace, absent: 'all' } },
      schema: {
        tags: ['observability'],
        summary:
          'Totals, error rate, p50/p95/p99, tokens and cost grouped by one or two dimensions (top consumers, cost per consumer and model…)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...filterProps,
            group_by: groupBySchema,
            order_by: { enum: ORDERS, default: 'count' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
          },
        },
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req) => {
      const observe = observeOf(ctx);
      const f = filterOf(req.query);
      const groupBy = (req.query.group_by ?? 'route').split(',') as Dimension[];
      const [total, groups] = await Promise.all([
        totals(observe.store, f),
        summarize(observe.store, f, groupBy.length === 1 ? (groupBy[0] ?? 'route') : groupBy, {
          limit: req.query.limit ?? 20,
          orderBy: req.query.order_by ?? 'count',
        }),
      ]);
      return {
        since: new Date(f.since).toISOString(),
        until: new Date(f.until).toISOString(),
        grain: groups.grain,
        group_by: req.query.group_by ?? 'route',
        total,
        data: groups.data,
      };
    },
  );

  app.get<{ Querystring: FilterQuery }>(
    '/analytics/timeseries',
    {
      // Without `?workspace=`, totals across every workspace: a grant on `*` only.
      config: { permission: { area: 'analytics', action: 'read', workspace: queryWorkspace, absent: 'all' } },
      schema: {
        tags: ['observability'],
        summary: 'Calls, error rate and latency percentiles per minute, hour or day',
        querystring: { type: 'object', additionalProperties: false, properties: filterProps },
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req) => {
      const f = filterOf(req.query);
      const series = await timeseries(observeOf(ctx).store, f);
      return { since: new Date(f.since).toISOString(), until: new Date(f.until).toISOString(), ...series };
    },
  );
}
