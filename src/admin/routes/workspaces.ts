/** Workspaces: tenants. Deleting one deletes everything in it. */
import type { FastifyInstance } from 'fastify';
import { isKeywayError } from '../../core/errors.js';
import { workspaceSchema } from '../../model/index.js';
import { bodyName } from '../authorize.js';
import { allowed } from '../permissions.js';
import type { RouteContext } from '../route-context.js';
import {
  emptyQuery,
  errorResponses,
  pageSchema,
  patchBody,
  storedWorkspace,
  workspaceParams,
} from '../schemas.js';

interface Params {
  workspace: string;
}
type WorkspaceBody = { name: string; description?: string; tags?: string[] };

const list = pageSchema(storedWorkspace);

export function workspaceRoutes(app: FastifyInstance, { deps, actor, principal }: RouteContext): void {
  const { config } = deps;
  const tags = ['workspaces'];

  app.get(
    '/workspaces',
    {
      config: { permission: { area: 'workspaces', action: 'read', absent: 'visible' } },
      schema: {
        tags,
        summary: 'List workspaces',
        querystring: emptyQuery,
        response: { 200: list, ...errorResponses },
      },
    },
    async (req) => {
      // Workspaces are few (tenants, not resources): one page, same envelope as every other list.
      // A caller sees the workspaces their grants reach, and no others (not even their names).
      const { grants } = principal(req);
      const data = (await config.listWorkspaces()).filter((w) =>
        allowed(grants, 'workspaces', 'read', w.name),
      );
      return { data, next: null, total: data.length };
    },
  );

  app.post<{ Body: WorkspaceBody }>(
    '/workspaces',
    {
      config: { permission: { area: 'workspaces', action: 'write', workspace: bodyName } },
      schema: {
        tags,
        summary: 'Create a workspace',
        body: workspaceSchema,
        response: { 201: storedWorkspace, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await config.createWorkspace(req.body, actor(req))),
  );

  app.get<{ Params: Params }>(
    '/workspaces/:workspace',
    {
      config: { permission: { area: 'workspaces', action: 'read' } },
      schema: {
        tags,
        summary: 'Get a workspace',
        params: workspaceParams,
        querystring: emptyQuery,
        response: { 200: storedWorkspace, ...errorResponses },
      },
    },
    async (req) => config.getWorkspace(req.params.workspace),
  );

  app.put<{ Params: Params; Body: WorkspaceBody }>(
    '/workspaces/:workspace',
    {
      config: { permission: { area: 'workspaces', action: 'write' } },
      schema: {
        tags,
        summary: 'Replace a workspace, or create it',
        params: workspaceParams,
        body: workspaceSchema,
        response: { 200: storedWorkspace, 201: storedWorkspace, ...errorResponses },
      },
    },
    async (req, reply) => {
      const name = req.params.workspace;
      const exists = await config.getWorkspace(name).then(
        () => true,
        (err: unknown) => {
          if (isKeywayError(err) && err.code === 'KW_ERR_NOT_FOUND') return false;
          throw err;
        },
      );
      if (exists) return config.updateWorkspace(name, req.body, actor(req));
      return reply.code(201).send(await config.createWorkspace(req.body, actor(req)));
    },
  );

  app.patch<{ Params: Params; Body: Partial<WorkspaceBody> }>(
    '/workspaces/:workspace',
    {
      config: { permission: { area: 'workspaces', action: 'write' } },
      schema: {
        tags,
        summary: 'Change some fields of a workspace',
        params: workspaceParams,
        body: patchBody(workspaceSchema),
        response: { 200: storedWorkspace, ...errorResponses },
      },
    },
    async (req) => {
      const current = await config.getWorkspace(req.params.workspace);
      const merged: WorkspaceBody = { name: current.name, ...pick(current), ...req.body };
      return config.updateWorkspace(req.params.workspace, merged, actor(req));
    },
  );

  app.delete<{ Params: Params }>(
    '/workspaces/:workspace',
    {
      config: { permission: { area: 'workspaces', action: 'write' } },
      schema: {
        tags,
        summary: 'Delete a workspace and everything in it',
        params: workspaceParams,
        querystring: emptyQuery,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (req, reply) => {
      await config.deleteWorkspace(req.params.workspace, actor(req));
      return reply.code(204).send();
    },
  );
}

/** The user-owned fields of a stored workspace (not id or timestamps). */
function pick(ws: { description?: string; tags?: string[] }): Omit<WorkspaceBody, 'name'> {
  const out: Omit<WorkspaceBody, 'name'> = {};
  if (ws.description !== undefined) out.description = ws.description;
  if (ws.tags !== undefined) out.tags = ws.tags;
  return out;
}
