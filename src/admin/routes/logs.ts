/** Call-record search: `GET /logs`, every workspace, or `GET /workspaces/:workspace/logs` (docs/observability.md). */
import type { FastifyInstance } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import { searchLogs } from '../../observe/store/log-search.js';
import { timeWindow } from '../../observe/time-window.js';
import type { RouteContext } from '../route-context.js';
import { errorResponses } from '../schemas.js';

const text = { type: 'string', maxLength: 256 } as const;

const logsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    consumer: text,
    route: text,
    service: text,
    app: text,
    credential: text,
    request_id: text,
    status: { type: 'string', pattern: '^([1-5]xx|[1-5][0-9][0-9])$' },
    since: {
      type: 'string',
      maxLength: 40,
      description: 'Duration back from now (2h, 30m, 7d) or ISO time. Default 1h.',
    },
    until: { type: 'string', maxLength: 40 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    after: { type: 'string', maxLength: 40, description: 'Cursor from `next` of the previous page.' },
    order: { enum: ['desc', 'asc'], default: 'desc' },
  },
} as const;

interface LogsQuery {
  consumer?: string;
  route?: string;
  service?: string;
  app?: string;
  credential?: string;
  request_id?: string;
  status?: string;
  since?: string;
  until?: string;
  limit?: number;
  after?: string;
  order?: 'desc' | 'asc';
}

export function logRoutes(app: FastifyInstance, { deps }: RouteContext): void {
  for (const base of ['', '/workspaces/:workspace']) logRoute(app, deps, base);
}

function logRoute(app: FastifyInstance, deps: RouteContext['deps'], base: string): void {
  app.get<{ Querystring: LogsQuery; Params: { workspace?: string } }>(
    `${base}/logs`,
    {
      // `/logs` with no workspace searches every workspace: a grant on `*` only.
      config: { permission: { area: 'logs', action: 'read', absent: 'all' } },
      schema: {
        tags: ['observability'],
        summary: 'Search call records (newest first; order=asc with a cursor to follow)',
        querystring: logsQuery,
        response: {
          200: {
            type: 'object',
            required: ['data', 'next'],
            properties: {
              data: { type: 'array', items: { type: 'object' } },
              next: { type: ['string', 'null'] },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const observe = deps.observe;
      if (observe === undefined)
        throw new KeywayError('KW_ERR_NOT_READY', { reason: 'call records are off on this node' });
      const q = req.query;
      const { since, until } = timeWindow(q, Date.now(), '1h');
      const { since: _s, until: _u, limit, order, ...filters } = q;
      const clean = Object.fromEntries(
        Object.entries(filters).filter(([, v]) => v !== undefined && v !== ''),
      );
      const workspace = req.params.workspace;
      return searchLogs(observe.store, {
        ...clean,
        ...(workspace === undefined ? {} : { workspace }),
        since,
        until,
        limit: limit ?? 100,
        order: order ?? 'desc',
      });
    },
  );
}
