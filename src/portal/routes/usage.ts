/**
 * A developer's usage, scoped to their own consumer: calls, errors, latency percentiles, AI tokens and
 * cost over time per app (the analytics rollups the admin API reads, observe/analytics.ts), per key (from
 * the key's call records, which the rollups do not count by key), and quota used and left in the current
 * period per the plan that applies (control/usage.ts, as `GET /usage` on the admin API).
 */
import type { FastifyInstance } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import { nameSchema } from '../../model/common.js';
import { CounterUnavailableError } from '../../pipeline/counter-store.js';
import { usageReport, type UsageReport, type UsageSubject } from '../../control/usage.js';
import { grainFor, summarize, timeseries, totals, type AnalyticsFilter } from '../../observe/analytics.js';
import { GRAINS, type Grain } from '../../observe/rollups.js';
import type { Observability } from '../../observe/observability.js';
import { searchLogs } from '../../observe/store/log-search.js';
import { timeWindow } from '../../observe/time-window.js';
import type { ApiKeyView } from '../../keys/key-service.js';
import { API, type PortalContext } from '../context.js';
import { appLabel, ownApp, ownKey } from '../ownership.js';

const windowProps = {
  since: { type: 'string', maxLength: 40, description: 'Duration back from now (24h, 30d) or ISO time.' },
  until: { type: 'string', maxLength: 40 },
  grain: { enum: ['m', 'h', 'd'] },
} as const;

interface WindowQuery {
  since?: string;
  until?: string;
  grain?: Grain;
}

/** Most call records one key's series is counted from (a page of the log search is 1,000). */
const KEY_RECORDS_MAX = 20_000;

function observeOf(ctx: PortalContext): Observability {
  const o = ctx.deps.observe;
  if (o === undefined)
    throw new KeywayError('KW_ERR_NOT_READY', { reason: 'analytics are off on this node' });
  return o;
}

function filterOf(ctx: PortalContext, q: WindowQuery, scope: Partial<AnalyticsFilter>): AnalyticsFilter {
  const { since, until } = timeWindow(q, ctx.now(), '24h');
  return { since, until, ...(q.grain === undefined ? {} : { grain: q.grain }), ...scope };
}

type QuotaReport = UsageReport & { service: string | null };

/**
 * Quota used and left for `subject`: under its own plan (`service: null`), and under the plan of each
 * approved subscription of its app (calls to that service count under it), as the request path decides.
 */
async function quota(
  ctx: PortalContext,
  workspace: string,
  subject: UsageSubject,
  appName: string | undefined,
): Promise<QuotaReport[]> {
  const counters = ctx.deps.counters;
  if (counters === undefined) return [];
  const state = (await ctx.deps.store.loadAll()).workspaces.find((w) => w.name === workspace);
  if (state === undefined) return [];
  const subscriptions = (state.subscriptions ?? []).filter(
    (s) => appName !== undefined && s.app === appName && s.status === 'approved' && s.plan !== undefined,
  );
  try {
    const out: QuotaReport[] = [];
    const own = await usageReport(state, counters, subject, ctx.now());
    if (own !== undefined) out.push({ service: null, ...own });
    for (const s of subscriptions) {
      const r = await usageReport(state, counters, subject, ctx.now(), s.plan);
      if (r !== undefined) out.push({ service: s.service, ...r });
    }
    return out;
  } catch (err) {
    if (err instanceof CounterUnavailableError)
      throw new KeywayError('KW_ERR_LIMITS_UNAVAILABLE', {}, { cause: err });
    throw err;
  }
}

interface Bucket {
  bucket: string;
  count: number;
  errors: number;
  client_errors: number;
  avg_ms: number | null;
  tokens_in: number;
  tokens_out: number;
  cost: number;
}

/** One key's calls per bucket, counted from its call records (newest KEY_RECORDS_MAX at most). */
async function keySeries(
  observe: Observability,
  f: AnalyticsFilter,
  key: ApiKeyView,
): Promise<{ data: Bucket[]; truncated: boolean }> {
  const grain = f.grain ?? grainFor(f.since, f.until);
  const size = GRAINS[grain];
  const buckets = new Map<number, Bucket & { latency: number }>();
  let after: string | undefined;
  let seen = 0;
  for (;;) {
    const page = await searchLogs(observe.store, {
      workspace: key.workspace,
      credential: key.id,
      since: f.since,
      until: f.until,
      limit: 1000,
      order: 'desc',
      ...(after === undefined ? {} : { after }),
    });
    for (const r of page.data) {
      const at = Math.floor(Date.parse(r.time) / size) * size;
      let b = buckets.get(at);
      if (b === undefined) {
        b = {
          bucket: new Date(at).toISOString(),
          count: 0,
          errors: 0,
          client_errors: 0,
          avg_ms: null,
          tokens_in: 0,
          tokens_out: 0,
          cost: 0,
          latency: 0,
        };
        buckets.set(at, b);
      }
      b.count++;
      if (r.status >= 500) b.errors++;
      else if (r.status >= 400) b.client_errors++;
      b.latency += r.latency_ms;
      b.tokens_in += r.tokens_in ?? 0;
      b.tokens_out += r.tokens_out ?? 0;
      b.cost += r.cost ?? 0;
    }
    seen += page.data.length;
    if (page.next === null) return { data: done(buckets), truncated: false };
    if (seen >= KEY_RECORDS_MAX) return { data: done(buckets), truncated: true };
    after = page.next;
  }
}

function done(buckets: Map<number, Bucket & { latency: number }>): Bucket[] {
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, { latency, ...b }]) => ({ ...b, avg_ms: b.count === 0 ? null : Math.round(latency / b.count) }));
}

export function usageRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const { deps } = ctx;

  // Every app of the developer, side by side (the usage page's table).
  app.get<{ Querystring: WindowQuery & { workspace?: string } }>(
    `${API}/usage`,
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...windowProps, workspace: nameSchema },
        },
      },
    },
    async (req) => {
      const dev = ctx.developer(req);
      const ws = ctx.workspace(req.query.workspace);
      const observe = observeOf(ctx);
      const f = filterOf(ctx, req.query, { workspace: ws, consumer: dev.consumer });
      const [total, series, byApp] = await Promise.all([
        totals(observe.store, f),
        timeseries(observe.store, f),
        summarize(observe.store, f, 'app', { limit: 1000, orderBy: 'count' }),
      ]);
      return {
        workspace: ws,
        since: new Date(f.since).toISOString(),
        until: new Date(f.until).toISOString(),
        grain: series.grain,
        total,
        series: series.data,
        apps: byApp.data.map(({ key, ...stats }) => ({ app: appLabel(dev, String(key)), ...stats })),
        quota: await quota(ctx, ws, { consumer: dev.consumer }, undefined),
      };
    },
  );

  app.get<{ Params: { workspace: string; app: string }; Querystring: WindowQuery & { key?: string } }>(
    `${API}/apps/:workspace/:app/usage`,
    {
      schema: {
        params: {
          type: 'object',
          required: ['workspace', 'app'],
          properties: { workspace: nameSchema, app: nameSchema },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...windowProps, key: { type: 'string', minLength: 1, maxLength: 128 } },
        },
      },
    },
    async (req) => {
      const dev = ctx.developer(req);
      const { workspace } = req.params;
      const a = await ownApp(ctx, dev, workspace, req.params.app);
      const observe = observeOf(ctx);
      const f = filterOf(ctx, req.query, { workspace, consumer: dev.consumer, app: a.name });
      const window = { since: new Date(f.since).toISOString(), until: new Date(f.until).toISOString() };
      if (req.query.key !== undefined) {
        const key = await ownKey(ctx, workspace, a, req.query.key);
        const stored = await deps.store.getApiKey(workspace, key.id);
        const series = await keySeries(observe, f, key);
        return {
          workspace,
          app: appLabel(dev, a.name),
          key: key.id,
          visible_id: key.visible_id,
          ...window,
          grain: f.grain ?? grainFor(f.since, f.until),
          series: series.data,
          truncated: series.truncated,
          quota: stored === undefined ? [] : await quota(ctx, workspace, { key: stored }, a.name),
        };
      }
      const [total, series] = await Promise.all([totals(observe.store, f), timeseries(observe.store, f)]);
      return {
        workspace,
        app: appLabel(dev, a.name),
        ...window,
        grain: series.grain,
        total,
        series: series.data,
        quota: await quota(ctx, workspace, { app: a.name }, a.name),
      };
    },
  );
}
