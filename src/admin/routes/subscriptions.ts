/**
 * Subscriptions beyond their CRUD (resources.ts): the list's status/app/service filters, the
 * workflow actions `POST …/subscriptions/{id}/approve|reject|suspend|resume|revoke`, and the report of every
 * subscription a write leaves waiting for approval (`subscription` alert rules, docs/subscriptions.md).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { JsonText } from '../../core/json-text.js';
import { KeywayError } from '../../core/errors.js';
import { nameSchema } from '../../model/common.js';
import { DEFAULT_WORKSPACE, SUBSCRIPTION_STATUSES } from '../../model/index.js';
import { SUBSCRIPTION_ACTIONS, type SubscriptionAction } from '../../control/subscription-rules.js';
import type { ResourceView } from '../../control/types.js';
import type { RouteContext } from '../route-context.js';
import type { AdminDeps } from '../types.js';
import { errorResponses, listQuery, responseSchema } from '../schemas.js';
import type { Page } from '../../store/types.js';

interface Params {
  workspace?: string;
  idOrKey?: string;
}

export interface SubscriptionQuery {
  limit?: number;
  after?: string;
  name?: string;
  tag?: string;
  status?: string;
  app?: string;
  service?: string;
}

export const subscriptionQuery = {
  ...listQuery,
  properties: {
    ...listQuery.properties,
    name: { type: 'string', maxLength: 512, description: 'Exact key, `app@service`.' },
    status: { enum: SUBSCRIPTION_STATUSES, description: 'Only subscriptions in this status.' },
    app: { ...nameSchema, description: 'Only subscriptions of this app.' },
    service: { ...nameSchema, description: 'Only subscriptions to this service.' },
  },
} as const;

const actionBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: {
      type: 'string',
      maxLength: 1024,
      description: 'Why (required to reject, suspend and revoke; shown to admins, never to callers).',
    },
  },
} as const;

/** Pages through a workspace's subscriptions: a workspace has few enough to filter in memory. */
const PAGE = 1000;

/** `GET /subscriptions` (its route is the kind's, resources.ts): filtered in memory, paged by offset. */
export async function listSubscriptions(
  deps: AdminDeps,
  workspace: string,
  query: SubscriptionQuery,
): Promise<Page<ResourceView<'subscriptions'>>> {
  const { limit = 100, after, status, app: appName, service, name, tag } = query;
  let all = await allSubscriptions(deps, workspace);
  if (status !== undefined) all = all.filter((s) => (s.status ?? 'pending') === status);
  if (appName !== undefined) all = all.filter((s) => s.app === appName);
  if (service !== undefined) all = all.filter((s) => s.service === service);
  if (name !== undefined) all = all.filter((s) => `${s.app}@${s.service}` === name);
  if (tag !== undefined) all = all.filter((s) => s.tags?.includes(tag) === true);
  const offset = after === undefined ? 0 : Number.parseInt(after, 10);
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new KeywayError('KW_ERR_VALIDATION', {
      reason: 'invalid querystring: /after is not a cursor from this list',
    });
  }
  const data = all.slice(offset, offset + limit);
  const end = offset + data.length;
  return { data, next: end < all.length ? String(end) : null, total: all.length };
}

function workspaceOf(req: FastifyRequest<{ Params: Params }>): string {
  return req.params.workspace ?? DEFAULT_WORKSPACE;
}

export function subscriptionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const base of ['', '/workspaces/:workspace']) routesUnder(app, ctx, base);
}

function routesUnder(app: FastifyInstance, ctx: RouteContext, base: string): void {
  const { deps, actor } = ctx;
  const scoped = base !== '';
  const stored = responseSchema('subscriptions');
  const wsParam = scoped ? { workspace: nameSchema } : {};

  for (const action of Object.keys(SUBSCRIPTION_ACTIONS) as SubscriptionAction[]) {
    const move = SUBSCRIPTION_ACTIONS[action];
    app.post<{ Params: Params; Body: unknown }>(
      `${base}/subscriptions/:idOrKey/${action}`,
      {
        schema: {
          tags: ['subscriptions'],
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} a subscription (${move.from.join(' or ')} → ${move.to})`,
          params: {
            type: 'object',
            required: [...Object.keys(wsParam), 'idOrKey'],
            properties: {
              ...wsParam,
              idOrKey: { type: 'string', minLength: 1, maxLength: 1024, description: 'Id or `app@service`' },
            },
          },
          body: actionBody,
          response: { 200: stored, ...errorResponses },
        },
        // Deciding on subscriptions is the approver's (developer relations) as much as the workspace admin's.
        config: { permission: { area: 'subscriptions', action: 'write' } },
      },
      async (req) =>
        deps.config.transition(
          workspaceOf(req),
          req.params.idOrKey ?? '',
          action,
          req.body ?? {},
          actor(req),
        ),
    );
  }
}

async function allSubscriptions(
  deps: AdminDeps,
  workspace: string,
): Promise<ResourceView<'subscriptions'>[]> {
  const out: ResourceView<'subscriptions'>[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await deps.config.list('subscriptions', workspace, {
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    out.push(...page.data);
    if (page.next === null) return out;
    after = page.next;
  }
}

/** Tells the alerts about a subscription a write left pending (once per subscription: the sink dedups). */
export function reportPending(
  deps: AdminDeps,
  workspace: string,
  s: ResourceView<'subscriptions'>,
  by: string,
): void {
  if (s.status !== 'pending') return;
  deps.observe?.subscriptionAlerts.pending({
    workspace,
    id: s.id,
    app: s.app,
    service: s.service,
    plan: s.plan,
    requested_by: by,
    at: (deps.now ?? Date.now)(),
  });
}

/**
 * After an apply: the pending subscriptions of the workspace it changed, when it changed subscriptions.
 * The result may be JSON text already (a large apply ran on the config thread): its first field is the
 * workspace, and a subscription change names its kind, so the text is searched, not parsed.
 */
export async function reportPendingAfterApply(deps: AdminDeps, result: unknown, by: string): Promise<void> {
  if (deps.observe === undefined) return;
  let workspace: string | undefined;
  if (result instanceof JsonText) {
    if (!result.text.includes('"kind":"subscriptions"')) return;
    workspace = /^\{"workspace":"([^"\\]+)"/.exec(result.text)?.[1];
  } else if (typeof result === 'object' && result !== null && 'changes' in result) {
    const r = result as { workspace: string; changes: Array<{ kind: string }> };
    if (!r.changes.some((c) => c.kind === 'subscriptions')) return;
    workspace = r.workspace;
  }
  if (workspace === undefined) return;
  for (const s of await allSubscriptions(deps, workspace)) reportPending(deps, workspace, s, by);
}
