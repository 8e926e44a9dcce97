/**
 * Config history of a workspace (docs/config-history.md): the versions kept, one version's document,
 * and a rollback that applies a kept document back as a new version (audited, and itself in the history).
 */
import type { FastifyInstance } from 'fastify';
import { nameSchema } from '../../model/common.js';
import { historyDocument, historyEntry as keptVersion } from '../../control/history.js';
import type { RouteContext } from '../route-context.js';
import { applyResult, declarativeDoc, errorResponses, pageSchema } from '../schemas.js';
import { named } from '../openapi/components.js';

interface Params {
  workspace: string;
  version?: number;
}

const versionParams = {
  type: 'object',
  required: ['workspace', 'version'],
  properties: { workspace: nameSchema, version: { type: 'integer', minimum: 1 } },
} as const;
const historyEntry = named('HistoryEntry', {
  type: 'object',
  required: ['workspace', 'version', 'at', 'actor', 'summary'],
  properties: {
    workspace: { type: 'string' },
    version: { type: 'integer' },
    at: { type: 'string', description: 'When the version was made (ISO 8601).' },
    actor: { type: 'string', description: 'Who made it.' },
    summary: { type: 'string', description: 'What changed, in a line.' },
  },
});
const historyVersion = named('HistoryVersion', {
  ...historyEntry,
  properties: { ...historyEntry.properties, document: declarativeDoc },
});

export function historyRoutes(app: FastifyInstance, { deps, actor }: RouteContext): void {
  const tags = ['config'];
  const read = { permission: { area: 'config', action: 'read' } } as const;

  app.get<{ Params: Params; Querystring: { limit?: number; after?: number } }>(
    '/workspaces/:workspace/history',
    {
      config: read,
      schema: {
        tags,
        summary: 'Versions of a workspace’s configuration kept in the history, newest first',
        params: { type: 'object', required: ['workspace'], properties: { workspace: nameSchema } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            after: { type: 'integer', minimum: 1, description: 'The version the previous page ended at.' },
          },
        },
        response: { 200: pageSchema(historyEntry), ...errorResponses },
      },
    },
    async (req) =>
      deps.store.listHistory(req.params.workspace, {
        limit: req.query.limit ?? 100,
        ...(req.query.after === undefined ? {} : { after: req.query.after }),
      }),
  );

  app.get<{ Params: Params }>(
    '/workspaces/:workspace/history/:version',
    {
      config: read,
      schema: {
        tags,
        summary: 'One kept version, with the whole workspace as a declarative document',
        params: versionParams,
        response: { 200: historyVersion, ...errorResponses },
      },
    },
    async (req) => {
      const { workspace, version = 0 } = req.params;
      const entry = await keptVersion(deps.store, workspace, version);
      return entry ?? historyDocument(deps.store, workspace, version);
    },
  );

  app.post<{ Params: Params; Querystring: { dry_run?: boolean } }>(
    '/workspaces/:workspace/history/:version/rollback',
    {
      config: { permission: { area: 'config', action: 'write' } },
      schema: {
        tags,
        summary: 'Restore a kept version: applied as a declarative document, itself a new version',
        params: versionParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            dry_run: { type: 'boolean', default: false, description: 'Only compute the changes.' },
          },
        },
        response: { 200: applyResult, ...errorResponses },
      },
    },
    async (req) => {
      const { workspace, version = 0 } = req.params;
      const document = await historyDocument(deps.store, workspace, version);
      return (deps.config.answers ?? deps.config).apply(document, {
        dryRun: req.query.dry_run === true,
        actor: { ...actor(req), reason: `rollback to version ${version}` },
      });
    },
  );
}
