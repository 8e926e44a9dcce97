/**
 * The catalogue, readable without signing in: the `public` services of the workspaces the portal
 * publishes (a `workspace` service is never listed, nor reachable by name), with search, the plans a
 * developer may subscribe under, and each service's OpenAPI document when it has one.
 *
 * Plans offered in the portal are those tagged `portal`: a workspace's other plans (an internal
 * unlimited one) are not for developers to pick, on an `auto` service least of all.
 */
import type { FastifyInstance } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import type { ResourceKind } from '../../model/index.js';
import { nameSchema } from '../../model/common.js';
import type { ResourceView } from '../../control/types.js';
import type { AdminConfigService } from '../../control/types.js';
import { API, type PortalContext } from '../context.js';

export const PORTAL_PLAN_TAG = 'portal';
const PAGE = 1000;

export async function listAll<K extends ResourceKind>(
  config: AdminConfigService,
  kind: K,
  workspace: string,
): Promise<ResourceView<K>[]> {
  const out: ResourceView<K>[] = [];
  let after: string | undefined;
  for (;;) {
    let page;
    try {
      page = await config.list(kind, workspace, { limit: PAGE, ...(after === undefined ? {} : { after }) });
    } catch (err) {
      // A published workspace nobody has created yet lists nothing.
      if (err instanceof KeywayError && err.code === 'KW_ERR_NOT_FOUND') return out;
      throw err;
    }
    out.push(...page.data);
    if (page.next === null) return out;
    after = page.next;
  }
}

/** An OpenAPI document, not an empty object a form left behind. */
function hasDocument(s: ResourceView<'services'>): boolean {
  return s.openapi !== undefined && typeof s.openapi.openapi === 'string';
}

export function planView(p: ResourceView<'plans'>): object {
  return {
    name: p.name,
    ...(p.description === undefined ? {} : { description: p.description }),
    ...(p.rate_limits === undefined ? {} : { rate_limits: p.rate_limits }),
    ...(p.quotas === undefined ? {} : { quotas: p.quotas }),
  };
}

function serviceView(workspace: string, s: ResourceView<'services'>): Record<string, unknown> {
  return {
    workspace,
    name: s.name,
    ...(s.description === undefined ? {} : { description: s.description }),
    tags: s.tags ?? [],
    approval: s.approval ?? 'manual',
    subscription_required: s.subscription_required ?? false,
    openapi: hasDocument(s),
  };
}

/** The public service `name` of `workspace`, or 404 as if it did not exist. */
export async function publicService(
  ctx: PortalContext,
  workspace: string,
  name: string,
): Promise<ResourceView<'services'>> {
  const ws = ctx.workspace(workspace);
  let s: ResourceView<'services'> | undefined;
  try {
    s = await ctx.deps.config.get('services', ws, name);
  } catch (err) {
    if (!(err instanceof KeywayError && err.code === 'KW_ERR_NOT_FOUND')) throw err;
  }
  if (s === undefined || s.visibility !== 'public' || s.enabled === false)
    throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'service', name });
  return s;
}

export async function offeredPlans(ctx: PortalContext, workspace: string): Promise<ResourceView<'plans'>[]> {
  const plans = await listAll(ctx.deps.config, 'plans', workspace);
  return plans.filter((p) => p.tags?.includes(PORTAL_PLAN_TAG) === true);
}

const params = {
  type: 'object',
  required: ['workspace', 'service'],
  properties: { workspace: nameSchema, service: nameSchema },
} as const;

export function catalogRoutes(app: FastifyInstance, ctx: PortalContext): void {
  app.get<{ Querystring: { q?: string; workspace?: string } }>(
    `${API}/catalog`,
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { q: { type: 'string', maxLength: 256 }, workspace: nameSchema },
        },
      },
    },
    async (req) => {
      const { q, workspace } = req.query;
      const spaces = workspace === undefined ? ctx.deps.settings.workspaces : [ctx.workspace(workspace)];
      const words = (q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      const data: Record<string, unknown>[] = [];
      for (const ws of spaces) {
        for (const s of await listAll(ctx.deps.config, 'services', ws)) {
          if (s.visibility !== 'public' || s.enabled === false) continue;
          // Every word somewhere in the name, description or tags.
          const text = [s.name, s.description ?? '', ...(s.tags ?? [])].join(' ').toLowerCase();
          if (words.every((w) => text.includes(w))) data.push(serviceView(ws, s));
        }
      }
      return { data };
    },
  );

  app.get<{ Params: { workspace: string; service: string } }>(
    `${API}/catalog/:workspace/:service`,
    { schema: { params } },
    async (req) => {
      const { workspace, service } = req.params;
      const s = await publicService(ctx, workspace, service);
      return { ...serviceView(workspace, s), plans: (await offeredPlans(ctx, workspace)).map(planView) };
    },
  );

  app.get<{ Params: { workspace: string; service: string } }>(
    `${API}/catalog/:workspace/:service/openapi`,
    { schema: { params } },
    async (req) => {
      const s = await publicService(ctx, req.params.workspace, req.params.service);
      if (!hasDocument(s) || s.openapi === undefined)
        throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'OpenAPI document of service', name: s.name });
      return s.openapi;
    },
  );
}
