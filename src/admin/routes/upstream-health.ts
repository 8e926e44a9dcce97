/**
 * `GET /upstreams/{name}/health` (also under `/workspaces/:workspace`): each target of the upstream as this
 * node sees it — health (passive and active checks), circuit breaker, requests in flight, last active check.
 * Each node checks for itself: another node may see otherwise. `/status` has the node-wide summary.
 */
import type { FastifyInstance } from 'fastify';
import { KeywayError } from '../../core/errors.js';
import { DEFAULT_WORKSPACE } from '../../model/index.js';
import type { UpstreamStates } from '../../snapshot/upstream-states.js';
import type { RouteContext } from '../route-context.js';
import { errorResponses } from '../schemas.js';

interface Params {
  workspace?: string;
  name: string;
}

const targetHealth = {
  type: 'object',
  required: ['target', 'weight', 'health', 'in_flight'],
  properties: {
    target: { type: 'string', description: '`host:port` as configured.' },
    weight: { type: 'integer' },
    health: {
      enum: ['healthy', 'unhealthy', 'probation', 'unchecked'],
      description:
        '`probation`: back in rotation after a passive cooldown; `unchecked`: no service of this node uses the upstream.',
    },
    breaker: { enum: ['closed', 'open', 'half-open'], description: 'Absent without a circuit breaker.' },
    in_flight: { type: 'integer', description: 'Requests to the target in flight from this node.' },
    last_check: {
      type: 'object',
      properties: { at: { type: 'string' }, status: { type: 'integer' }, error: { type: 'string' } },
    },
  },
} as const;

export const upstreamHealthSchema = {
  type: 'object',
  required: ['upstream', 'workspace', 'targets'],
  properties: {
    upstream: { type: 'string' },
    workspace: { type: 'string' },
    algorithm: { type: 'string' },
    active_checks: { type: 'boolean' },
    passive_checks: { type: 'boolean' },
    targets: { type: 'array', items: targetHealth },
  },
} as const;

export function upstreamHealthRoutes(app: FastifyInstance, { deps }: RouteContext): void {
  for (const base of ['', '/workspaces/:workspace']) {
    app.get<{ Params: Params }>(
      `${base}/upstreams/:name/health`,
      {
        config: { permission: { area: 'upstreams', action: 'read' } },
        schema: {
          tags: ['upstreams'],
          summary: "The health of an upstream's targets as this node sees them",
          params: {
            type: 'object',
            required: ['name'],
            properties: {
              ...(base === '' ? {} : { workspace: { type: 'string', minLength: 1, maxLength: 128 } }),
              name: { type: 'string', minLength: 1, maxLength: 128 },
            },
          },
          response: { 200: upstreamHealthSchema, ...errorResponses },
        },
      },
      async (req) => {
        const ws = req.params.workspace ?? DEFAULT_WORKSPACE;
        const snap = deps.snapshot?.();
        const states = deps.upstreamStates;
        if (snap === undefined || states === undefined) {
          throw new KeywayError('KW_ERR_NOT_READY', { reason: 'no configuration served yet' });
        }
        const upstream = snap.basis.state.workspaces
          .find((w) => w.name === ws)
          ?.upstreams.find((u) => u.name === req.params.name || u.id === req.params.name);
        if (upstream === undefined) {
          throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'upstream', name: req.params.name });
        }
        return upstreamHealth(ws, upstream, states);
      },
    );
  }
}

function upstreamHealth(
  workspace: string,
  u: {
    name: string;
    algorithm?: string;
    targets: ReadonlyArray<{ target: string; weight?: number }>;
    healthchecks?: { active?: unknown; passive?: unknown };
  },
  states: UpstreamStates,
): Record<string, unknown> {
  const known = new Map(states.upstream(workspace, u.name).map((s) => [s.address, s]));
  return {
    upstream: u.name,
    workspace,
    algorithm: u.algorithm ?? 'round-robin',
    active_checks: u.healthchecks?.active !== undefined,
    passive_checks: u.healthchecks?.passive !== undefined,
    targets: u.targets.map((t) => {
      const s = known.get(t.target);
      const probe = s?.lastProbe;
      return {
        target: t.target,
        weight: t.weight ?? 100,
        health: s?.health ?? 'unchecked',
        ...(s?.breakerState === undefined ? {} : { breaker: s.breakerState }),
        in_flight: s?.active ?? 0,
        ...(probe === undefined
          ? {}
          : {
              last_check: {
                at: new Date(probe.at).toISOString(),
                status: probe.status,
                ...(probe.error === undefined ? {} : { error: probe.error }),
              },
            }),
      };
    }),
  };
}
