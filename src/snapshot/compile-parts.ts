/**
 * The parts of a snapshot compiled one resource at a time: a service, a route (its plugin phases per
 * consumer), and what a workspace's routes are compiled against (`WorkspaceBasis`: upstreams, plugin
 * instances, plugin scopes, consumers). The full compile (src/snapshot/compile.ts) and the patch that
 * recompiles only what changed (src/snapshot/patch.ts) both use these, so a patched route is the same
 * route a full compile would give.
 */
import { ROUTE_DEFAULTS } from '../model/route.js';
import { SERVICE_DEFAULTS } from '../model/service.js';
import type { ConfigProblem } from '../model/config-problem.js';
import type { Stored, WorkspaceState } from '../model/index.js';
import { Balancer } from '../pipeline/balancer.js';
import type { BreakerPolicy } from '../pipeline/circuit-breaker.js';
import type { HealthPolicy } from '../pipeline/target-state.js';
import {
  ACTIVE_DEFAULTS,
  BREAKER_DEFAULTS,
  PASSIVE_DEFAULTS,
  RETRY_DEFAULTS,
  type BreakerConfig,
} from '../model/resilience-schema.js';
import { UpstreamStates } from './upstream-states.js';
import { PHASES } from '../pipeline/plugin.js';
import type { CompiledRoute, CompiledService, PluginHandlers, RoutePhases } from '../pipeline/context.js';
import { getPlugin } from '../plugins/registry.js';
import type { AgentCache } from './agents.js';
import type { PluginScopes } from './plugin-scopes.js';
import { checkRoutePaths } from './route-rules.js';
import { httpRouteOf } from './path-match.js';
import type { SubscriptionGates } from './subscription-gate.js';
import type { Identities } from '../pipeline/identity.js';

/** What a workspace's services and routes are compiled against: fixed while its plugins and consumers are. */
export interface WorkspaceBasis {
  readonly state: WorkspaceState;
  readonly upstreams: ReadonlyMap<string, Stored<'upstreams'>>;
  /** Compiled services by name (a service that failed to compile is absent). */
  readonly services: ReadonlyMap<string, CompiledService>;
  /** Plugin instances by `name@id`. */
  readonly instances: ReadonlyMap<string, PluginHandlers>;
  readonly scopes: PluginScopes;
  readonly consumerByName: ReadonlyMap<string, Stored<'consumers'>>;
  /** Phases by the plugin instances they run: routes with the same combination share one object. */
  readonly sharedPhases: Map<string, RoutePhases>;
  /** The workspace's consumers, apps and plans as this snapshot serves them (`keyway explain`). */
  readonly identities: Identities;
  /** The subscription steps of the workspace's services (src/snapshot/subscription-gate.ts). */
  readonly gates: SubscriptionGates;
  /**
   * Service and route rows by id, and route rows by the service they name: a patch finds what a change
   * touches without scanning thousands of rows (a property read on each costs about 0.2 µs: rows are
   * parsed JSON of many shapes).
   */
  readonly rowById: ReadonlyMap<string, Row>;
  readonly routesByService: ReadonlyMap<string, readonly Stored<'routes'>[]>;
}

export type Row = Stored<'services'> | Stored<'routes'>;

/** The row indexes of a workspace basis, built from its state. */
export function rowIndexes(ws: WorkspaceState): Pick<WorkspaceBasis, 'rowById' | 'routesByService'> {
  const rowById = new Map<string, Row>();
  for (const s of ws.services) rowById.set(s.id, s);
  const routesByService = new Map<string, Stored<'routes'>[]>();
  for (const r of ws.routes) {
    rowById.set(r.id, r);
    const list = routesByService.get(r.service);
    if (list === undefined) routesByService.set(r.service, [r]);
    else list.push(r);
  }
  return { rowById, routesByService };
}

export function compileService(
  workspace: string,
  svc: Stored<'services'>,
  upstreams: ReadonlyMap<string, Stored<'upstreams'>>,
  agents: AgentCache,
  problems: ConfigProblem[],
  /** The node's registry; a config check passes none (its states are thrown away). */
  states: UpstreamStates = new UpstreamStates(),
): CompiledService | undefined {
  const bad = (message: string): undefined => {
    problems.push({ workspace, kind: 'services', key: svc.name, field: '/url', message });
    return undefined;
  };
  let url: URL;
  try {
    url = new URL(svc.url);
  } catch {
    return bad(`"${svc.url}" is not a URL`);
  }
  if (url.protocol === 'ai:') return aiService(workspace, svc, agents, states);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return bad('must start with http://, https:// or ai://');
  if (url.username !== '' || url.password !== '') return bad('must not carry credentials');
  if (url.search !== '' || url.hash !== '') return bad('must not have a query or fragment');
  if (url.hostname === '') return bad('has no host');
  const protocol = url.protocol;
  const upstream = upstreams.get(url.hostname);
  const defaultPort = protocol === 'https:' ? '443' : '80';
  const targets = upstream?.targets ?? [
    {
      target:
        url.host.includes(':') && !url.host.endsWith(']')
          ? url.host
          : `${url.host}:${url.port || defaultPort}`,
    },
  ];
  const def = { ...SERVICE_DEFAULTS, ...stripMeta(svc) };
  const dispatcher = agents.get({
    connectTimeoutMs: def.connect_timeout_ms,
    tlsVerify: def.tls_verify,
    dnsRefreshMs: upstream?.dns_refresh_ms,
  });
  const health: HealthPolicy = {
    passive:
      upstream?.healthchecks?.passive === undefined
        ? undefined
        : { ...PASSIVE_DEFAULTS, ...upstream.healthchecks.passive },
    active:
      upstream?.healthchecks?.active === undefined
        ? undefined
        : { ...ACTIVE_DEFAULTS, ...upstream.healthchecks.active },
  };
  const targetBreaker = breakerPolicy(upstream?.circuit_breaker);
  // A service without an upstream has one target, under a name of its own.
  const pool = upstream?.name ?? `service:${svc.name}`;
  const balancer = new Balancer(protocol, targets, upstream?.algorithm ?? 'round-robin', (address) =>
    states.target(workspace, pool, address, health, targetBreaker, {
      origin: `${protocol}//${address}`,
      dispatcher,
    }),
  );
  const retry = { ...RETRY_DEFAULTS, ...svc.retry };
  const state = states.service(workspace, svc.name, retry, breakerPolicy(svc.circuit_breaker));
  const fallback = svc.circuit_breaker?.fallback ?? upstream?.circuit_breaker?.fallback;
  return {
    workspace,
    name: svc.name,
    id: svc.id,
    def,
    protocol,
    basePath: url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, ''),
    hostHeader: url.host,
    upstream: upstream?.name,
    balancer,
    dispatcher,
    ai: false,
    state,
    retry,
    hashOn: upstream?.algorithm === 'consistent-hashing' ? upstream.hash_on : undefined,
    counted: health.passive !== undefined || targetBreaker !== undefined || state.breaker !== undefined,
    fallback,
  };
}

function breakerPolicy(c: BreakerConfig | undefined): BreakerPolicy | undefined {
  if (c === undefined) return undefined;
  const { fallback: _f, ...rest } = c;
  return { ...BREAKER_DEFAULTS, ...rest };
}

/** What a JSON schema cannot say of an upstream: `consistent-hashing` needs `hash_on`, a header one a name. */
export function upstreamProblems(workspace: string, u: Stored<'upstreams'>): ConfigProblem[] {
  const problem = (field: string, message: string): ConfigProblem => ({
    workspace,
    kind: 'upstreams',
    key: u.name,
    field,
    message,
  });
  if (u.algorithm === 'consistent-hashing' && u.hash_on === undefined) {
    return [problem('/hash_on', 'is required with algorithm consistent-hashing')];
  }
  if (u.hash_on !== undefined && u.algorithm !== 'consistent-hashing') {
    return [problem('/hash_on', 'is only used with algorithm consistent-hashing')];
  }
  const by = u.hash_on?.by;
  if ((by === 'header' || by === 'cookie') && u.hash_on?.name === undefined) {
    return [problem('/hash_on/name', `is required with by: ${by}`)];
  }
  if (by !== undefined && by !== 'header' && by !== 'cookie' && u.hash_on?.name !== undefined) {
    return [problem('/hash_on/name', `is only used with by: header or cookie, not ${by}`)];
  }
  return [];
}

/** `ai://…`: nothing to forward to; the route's ai-proxy plugin answers (src/plugins/ai-proxy). */
function aiService(
  workspace: string,
  svc: Stored<'services'>,
  agents: AgentCache,
  states: UpstreamStates,
): CompiledService {
  const def = { ...SERVICE_DEFAULTS, ...stripMeta(svc) };
  const retry = { ...RETRY_DEFAULTS, ...svc.retry };
  return {
    workspace,
    name: svc.name,
    id: svc.id,
    def,
    protocol: 'http:',
    basePath: '',
    hostHeader: '',
    upstream: undefined,
    balancer: new Balancer('http:', [], 'round-robin', () => {
      throw new Error('an ai:// service has no targets');
    }),
    dispatcher: agents.get({ connectTimeoutMs: def.connect_timeout_ms, tlsVerify: def.tls_verify }),
    ai: true,
    state: states.service(workspace, svc.name, retry, undefined),
    retry,
    hashOn: undefined,
    counted: false,
    fallback: undefined,
  };
}

function stripMeta(
  svc: Stored<'services'>,
): Omit<Stored<'services'>, 'id' | 'created_at' | 'updated_at' | 'description' | 'tags'> {
  const { id: _i, created_at: _c, updated_at: _u, description: _d, tags: _t, ...rest } = svc;
  return rest;
}

/**
 * One route against its workspace's basis: undefined when it is not served (its problems are pushed, or
 * its service is disabled).
 */
export function compileRoute(
  ws: string,
  r: Stored<'routes'>,
  basis: WorkspaceBasis,
  problems: ConfigProblem[],
): CompiledRoute | undefined {
  const routeProblems = checkRoutePaths(ws, r);
  problems.push(...routeProblems);
  const service = basis.services.get(r.service);
  if (service === undefined) {
    if (!basis.state.services.some((s) => s.name === r.service)) {
      problems.push({
        workspace: ws,
        kind: 'routes',
        key: r.name,
        field: '/service',
        message: `service "${r.service}" does not exist`,
      });
    }
    return undefined;
  }
  if (routeProblems.length > 0 || service.def.enabled === false) return undefined;
  // Only consumers with configs of their own on this route get phases of their own: for the others
  // the route's phases are what those would be.
  let consumerPhases: Map<string, RoutePhases> | undefined;
  for (const username of basis.scopes.consumersOn(r.name, r.service)) {
    const c = basis.consumerByName.get(username);
    if (c === undefined) continue;
    consumerPhases ??= new Map();
    consumerPhases.set(c.id, basis.gates.wrap(service.def, phasesFor(r, basis, c)));
  }
  const phases = basis.gates.wrap(service.def, phasesFor(r, basis, undefined));
  if (service.ai && phases.proxy.length === 0) {
    problems.push({
      workspace: ws,
      kind: 'routes',
      key: r.name,
      field: '/service',
      message: `service "${r.service}" is an ai:// service: its routes need the ai-proxy plugin`,
    });
    return undefined;
  }
  return {
    workspace: ws,
    id: r.id,
    name: r.name,
    def: {
      ...r,
      strip_path: r.strip_path ?? ROUTE_DEFAULTS.strip_path,
      preserve_host: r.preserve_host ?? ROUTE_DEFAULTS.preserve_host,
    },
    service,
    phases,
    consumerPhases,
    httpRoute: httpRouteOf(r.paths),
  };
}

const priorityOf = (name: string): number => getPlugin(name)?.priority ?? 0;

function phasesFor(
  r: Stored<'routes'>,
  basis: WorkspaceBasis,
  consumer: Stored<'consumers'> | undefined,
): RoutePhases {
  const chosen = new Map<string, { score: number; key: string; handlers: PluginHandlers }>();
  for (const p of basis.scopes.applicable(r.name, r.service, consumer?.username)) {
    const key = `${p.name}@${p.id}`;
    const handlers = basis.instances.get(key);
    if (handlers === undefined) continue;
    const score =
      (p.consumer !== undefined ? 4 : 0) +
      (p.route !== undefined ? 2 : 0) +
      (p.service !== undefined ? 1 : 0);
    const prev = chosen.get(p.name);
    if (prev === undefined || score > prev.score) chosen.set(p.name, { score, key, handlers });
  }
  const ordered = [...chosen.entries()].sort(
    (a, b) => priorityOf(b[0]) - priorityOf(a[0]) || (a[0] < b[0] ? -1 : 1),
  );
  // Routes with the same plugin instances share one (immutable) phases object: thousands of routes
  // usually come in a few plugin combinations.
  const key = ordered.map(([, v]) => v.key).join(' ');
  let phases = basis.sharedPhases.get(key);
  if (phases === undefined) {
    phases = toPhases(ordered.map(([name, v]) => ({ name, handlers: v.handlers })));
    basis.sharedPhases.set(key, phases);
  }
  return phases;
}

function toPhases(list: Array<{ name: string; handlers: PluginHandlers }>): RoutePhases {
  const phases: RoutePhases = {
    identify: [],
    authorize: [],
    limit: [],
    transform: [],
    proxy: [],
    respond: [],
    log: [],
    errorBody: undefined,
    plugins: list.map((p) => p.name),
    authorizeBy: [],
    requiredScopes: list.flatMap(({ name, handlers }) =>
      handlers.requiredScopes === undefined || handlers.requiredScopes.length === 0
        ? []
        : [{ plugin: name, scopes: handlers.requiredScopes }],
    ),
    empty: true,
  };
  for (const { name, handlers: h } of list) {
    phases.errorBody ??= h.errorBody;
    for (const phase of PHASES) {
      const fn = h[phase];
      if (fn === undefined) continue;
      (phases[phase] as unknown[]).push(fn);
      if (phase === 'authorize') (phases.authorizeBy as string[]).push(name);
      phases.empty = false;
    }
  }
  return phases;
}
