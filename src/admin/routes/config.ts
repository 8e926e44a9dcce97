/**
 * Declarative configuration: `POST /config` makes one workspace look exactly like the document
 * (`?dry_run=true` only computes the diff); `GET /config` exports a workspace as a document that
 * `POST /config` takes back with no changes. The CLI speaks YAML and sends JSON here.
 */
import type { FastifyInstance } from 'fastify';
import { nameSchema, tagsSchema } from '../../model/common.js';
import { DEFAULT_WORKSPACE } from '../../model/index.js';
import { bodyWorkspace, queryWorkspace } from '../authorize.js';
import type { RouteContext } from '../route-context.js';
import { reportPendingAfterApply } from './subscriptions.js';
import { applyResult, declarativeDoc, errorResponses } from '../schemas.js';

interface ApplyQuery {
  dry_run?: boolean;
}
interface ExportQuery {
  workspace?: string;
  /** One tag, or several when the parameter is repeated. */
  select_tag?: string | string[];
}

export function configRoutes(app: FastifyInstance, { deps, actor }: RouteContext): void {
  const tags = ['config'];

  app.post<{ Querystring: ApplyQuery; Body: unknown }>(
    '/config',
    {
      // A large document is parsed, checked and applied off the proxy's thread (app.ts, control/thread/).
      config: { rawBody: true, permission: { area: 'config', action: 'write', workspace: bodyWorkspace } },
      schema: {
        tags,
        summary: 'Apply a declarative document (the full desired state of one workspace)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            dry_run: { type: 'boolean', default: false, description: 'Only compute the changes.' },
          },
        },
        body: declarativeDoc,
        response: { 200: applyResult, ...errorResponses },
      },
    },
    async (req) => {
      const by = actor(req);
      const result = await (deps.config.answers ?? deps.config).apply(req.body, {
        dryRun: req.query.dry_run === true,
        actor: by,
      });
      if (req.query.dry_run !== true) await reportPendingAfterApply(deps, result, by.name);
      return result;
    },
  );

  app.get<{ Querystring: ExportQuery }>(
    '/config',
    {
      config: { permission: { area: 'config', action: 'read', workspace: queryWorkspace } },
      schema: {
        tags,
        summary: 'Export a workspace as a declarative document',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            workspace: nameSchema,
            select_tag: {
              anyOf: [tagsSchema.items, tagsSchema],
              description: 'Only resources carrying every one of these tags (repeat the parameter).',
            },
          },
        },
        response: { 200: declarativeDoc, ...errorResponses },
      },
    },
    async (req) => {
      const select = req.query.select_tag ?? [];
      return (deps.config.answers ?? deps.config).export(
        req.query.workspace ?? DEFAULT_WORKSPACE,
        typeof select === 'string' ? [select] : select,
      );
    },
  );
}
