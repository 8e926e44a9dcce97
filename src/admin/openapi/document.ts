/**
 * The admin API's OpenAPI 3.1 document (`GET /openapi.json`), made by @fastify/swagger from the schemas
 * the routes validate with, and shaped here into a contract a client generator takes:
 *
 * - schemas named where they are made (components.ts) appear once, in `components.schemas`, and routes
 *   `$ref` them; every error answer is one `Error` (the `KW_ERR_*` body) through `components.responses`;
 * - every operation has an `operationId` (operation-ids.ts);
 * - a path also served under `/workspaces/{workspace}` is described there only: the top-level path is
 *   the same operation on the `default` workspace, and the operation says so in
 *   `x-keyway-default-workspace-path`. A top-level path that means something else (a log search across
 *   every workspace) is an operation of its own.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { declaredRoutes } from '../authorize.js';
import { errorBody } from '../schemas.js';
import { componentSchemas, withRefs } from './components.js';
import { operationId } from './operation-ids.js';

export const OPENAPI_PATH = '/openapi.json';
const SCOPE = '/workspaces/:workspace';
/** The extension naming the top-level path that serves a workspace-scoped operation on `default`. */
export const DEFAULT_WORKSPACE_PATH = 'x-keyway-default-workspace-path';

const STATUS_TEXT: Readonly<Record<string, string>> = {
  '200': 'OK',
  '201': 'Created',
  '204': 'Done; no body',
  '400': 'The request is invalid: the error names the field',
  '401': 'No valid admin token or session',
  '403': 'The caller’s grants do not allow this',
  '404': 'Not found',
  '409': 'Conflicts with the current configuration',
  '413': 'The body is larger than the node accepts',
  '429': 'Too many attempts',
  '500': 'Internal error: the node’s log has the details under the request id',
  '503': 'Not ready, or the feature is off on this node',
};

/** Error answers every operation shares, as `components.responses` (each the `Error` schema). */
const ERROR_RESPONSES: Readonly<Record<string, string>> = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'NotFound',
  '409': 'Conflict',
  '500': 'InternalError',
  '503': 'NotReady',
};

/** `/services/:idOrKey` → `/services/{idOrKey}`. */
export const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

interface Operation {
  operationId?: string;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  [key: string]: unknown;
}

type Document = { paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };

/**
 * A top-level route that only repeats a workspace-scoped one for the default workspace. A route that
 * reads "no workspace" as every workspace, or the caller's visible ones (`absent`), is not a repeat.
 */
function isDefaultWorkspaceTwin(app: FastifyInstance, route: RouteOptions): boolean {
  if (route.url.startsWith('/workspaces') || route.config?.permission?.absent !== undefined) return false;
  const methods = [route.method].flat();
  return declaredRoutes(app).some((r) => r.url === SCOPE + route.url && methods.includes(r.method));
}

/** The options @fastify/swagger is registered with; the transforms need the app's route table. */
export function swaggerOptions(app: FastifyInstance, version: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Keyway admin API',
        version,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        description:
          'Manage a Keyway node: its workspaces, the resources in them, API keys, declarative configuration, ' +
          'logs, analytics and admin users (docs/admin-api.md).\n\n' +
          'Paths under `/workspaces/{workspace}` also answer without that prefix, for the `default` workspace: ' +
          `such an operation names that path in \`${DEFAULT_WORKSPACE_PATH}\`.\n\n` +
          'Every error answer is an `Error`: `{"error": {"code": "KW_ERR_…", "message", "request_id"}}`.',
      },
      servers: [
        {
          url: '{scheme}://{host}',
          description: 'A node’s admin listener (node setting `admin.listen`, loopback by default)',
          variables: {
            scheme: { enum: ['http', 'https'], default: 'http' },
            host: { default: '127.0.0.1:8001', description: 'host:port of the admin listener' },
          },
        },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An admin token or a login session' },
          adminToken: { type: 'apiKey', in: 'header', name: 'Keyway-Admin-Token' },
        },
      },
      security: [{ bearer: [] }, { adminToken: [] }],
    },
    transform({ schema, url, route }) {
      if (isDefaultWorkspaceTwin(app, route)) return { schema: { ...schema, hide: true }, url };
      const method = [route.method].flat()[0] ?? 'GET';
      const path = openApiPath(url);
      const found = new Set<string>();
      const s = (schema ?? {}) as Record<string, unknown>;
      const twin = url.startsWith(`${SCOPE}/`) ? url.slice(SCOPE.length) : undefined;
      const repeated =
        twin !== undefined &&
        declaredRoutes(app).some(
          (r) => r.url === twin && r.method === method && r.permission?.absent === undefined,
        );
      const out: Record<string, unknown> = {
        ...s,
        operationId: operationId(method, path),
        ...(repeated ? { [DEFAULT_WORKSPACE_PATH]: openApiPath(twin) } : {}),
      };
      if (s['body'] !== undefined) out['body'] = withRefs(s['body'], found);
      out['response'] = withRefs(answers(route, s['response'] as Responses | undefined), found);
      return { schema: out, url };
    },
    transformObject(object) {
      if (!('openapiObject' in object)) throw new Error('the admin API is described in OpenAPI 3');
      const { openapiObject } = object;
      const doc = openapiObject as unknown as Document;
      const found = new Set<string>();
      for (const item of Object.values(doc.paths))
        for (const op of Object.values(item)) collectRefs(op, found);
      doc.components['schemas'] = componentSchemas(found);
      doc.components['responses'] = Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([code, name]) => [
          name,
          {
            description: STATUS_TEXT[code],
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      );
      for (const item of Object.values(doc.paths)) for (const op of Object.values(item)) shapeResponses(op);
      return openapiObject;
    },
  };
}

type Responses = Record<string, unknown>;

/**
 * What a route declares it answers, and what every route answers without declaring it: a route with a
 * permission is behind the token check (401) and the role check (403, authorize.ts). A route that
 * declares no success answer documents one: a JSON object.
 */
function answers(route: RouteOptions, declared: Responses | undefined): Responses {
  const out: Responses = { ...declared };
  if (!Object.keys(out).some((code) => code.startsWith('2')))
    out['200'] = { type: 'object', description: 'A JSON object' };
  if (route.config?.permission !== undefined) {
    out['401'] ??= errorBody;
    out['403'] ??= errorBody;
  }
  return out;
}

function collectRefs(value: unknown, found: Set<string>): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) return value.forEach((v) => collectRefs(v, found));
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/'))
      found.add(v.slice('#/components/schemas/'.length));
    else collectRefs(v, found);
  }
}

/** Error answers become references to the shared responses; the others get a description. */
function shapeResponses(op: Operation): void {
  for (const [code, response] of Object.entries(op.responses ?? {})) {
    // Errors are JSON whatever the success answer is (`/metrics` answers text).
    const isError = Object.values(response.content ?? {}).some(
      (media) => (media.schema as { $ref?: string } | undefined)?.$ref === '#/components/schemas/Error',
    );
    const shared = ERROR_RESPONSES[code];
    if (shared !== undefined && isError) {
      (op.responses as Record<string, unknown>)[code] = { $ref: `#/components/responses/${shared}` };
    } else if (response.description === undefined || response.description === 'Default Response') {
      response.description = STATUS_TEXT[code] ?? 'Answer';
    }
  }
}
