/** The audit log: every admin change, newest first, with who made it and the before/after. */
import type { FastifyInstance } from 'fastify';
import { nameSchema } from '../../model/common.js';
import { queryWorkspace } from '../authorize.js';
import type { RouteContext } from '../route-context.js';
import { errorResponses, pageSchema } from '../schemas.js';

const auditEntry = {
  type: 'object',
  required: ['id', 'at', 'actor', 'action', 'workspace', 'kind', 'key'],
  properties: {
    id: { type: 'integer' },
    at: { type: 'string' },
    actor: { type: 'string', description: 'Name of the admin token that made the change.' },
    action: { enum: ['create', 'update', 'delete', 'apply'] },
    workspace: { type: 'string' },
    kind: { type: 'string' },
    key: { type: 'string' },
    before: {},
    after: {},
  },
} as const;

const auditQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    workspace: nameSchema,
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    after: { type: 'string', maxLength: 64 },
  },
} as const;

interface AuditQuery {
  workspace?: string;
  limit?: number;
  after?: string;
}

export function auditRoutes(app: FastifyInstance, { deps }: RouteContext): void {
  app.get<{ Querystring: AuditQuery }>(
    '/audit-log',
    {
      // Without `?workspace=`, the whole log, admin-user changes included: a grant on `*` only.
      config: { permission: { area: 'audit', action: 'read', workspace: queryWorkspace, absent: 'all' } },
      schema: {
        tags: ['audit'],
        summary: 'List admin changes',
        querystring: auditQuery,
        response: { 200: pageSchema(auditEntry), ...errorResponses },
      },
    },
    async (req) => deps.store.listAudit(req.query),
  );
}
