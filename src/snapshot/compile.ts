/**
 * Turns a `ConfigState` (what the store holds) into a `Snapshot` (what the data plane serves from):
 * services with their balancers and pools, routes with their plugin handlers per phase, and the router.
 * The same walk, with `problems` collected instead of thrown, is the whole-config check the control
 * layer runs before committing a change.
 *
 * The walk is a sliceable step (src/snapshot/slices.ts): it yields after each service, plugin, route and
 * registered router pattern, so a reload can run in short slices beside the traffic it serves
 * (`compileSnapshotInSlices`) while the checks and the first load run it in one go.
 */
import { KeywayError } from '../core/errors.js';
import { pluginKey, type ConfigState, type Stored, type WorkspaceState } from '../model/index.js';
import { ROUTE_DEFAULTS } from '../model/route.js';
import { SERVICE_DEFAULTS } from '../model/service.js';
import { Balancer } from '../pipeline/balancer.js';
import { getPlugin, openPluginSecrets, validatePluginConfig } from '../plugins/registry.js';
import { PHASES, type PluginServices } from '../pipeline/plugin.js';
import type { PluginHandlers } from '../pipeline/context.js';
import { buildCatalog } from '../ai/catalog.js';
import type { SecretBox } from '../keys/secret-box.js';
import { IdentityIndex } from './identities.js';
import type { AgentCache } from './agents.js';
import type { ConfigProblem } from '../model/config-problem.js';
import { PluginScopes } from './plugin-scopes.js';
import { Router } from './router.js';
import { checkRoutePaths, findingCollisions } from './route-rules.js';
import { workspacePathOverlaps } from './workspace-paths.js';
import { runNow, type Slicer, type Work } from './slices.js';
import type { CompiledRoute, CompiledService, RoutePhases } from '../pipeline/context.js';

export interface Snapshot {
  readonly version: number;
  readonly router: Router;
  readonly routes: readonly CompiledRoute[];
  readonly services: ReadonlyMap<string, CompiledService>;
  /** Runs the plugins' `prepare` (what they load before serving); await it before serving the snapshot. */
  prepare(): Promise<void>;
  /**
   * Releases plugin resources; called once no request uses this snapshot any more. A function property,
   * callable unbound: the manager keeps it alone, not the snapshot, until then.
   */
  readonly close: () => Promise<void>;
}

export interface CompileDeps {
  agents: AgentCache;
  /** Node-wide services handed to plugins (absent in pure config checks: plugins must cope). */
  services?: PluginServices;
  /** Opens sealed AI provider keys and plugin secrets (absent in pure config checks). */
  secrets?: SecretBox | undefined;
}

/** Throws `KW_ERR_VALIDATION` listing every problem if the state cannot be served. */
export function compileSnapshot(state: ConfigState, deps: CompileDeps): Snapshot {
  return runNow(compiling(state, deps));
}

/**
 * `compileSnapshot` in slices: the event loop gets a turn whenever a slice has used its budget. Given the
 * snapshot being served, its router's matching structure is shared when no route's routing fields changed.
 */
export function compileSnapshotInSlices(
  state: ConfigState,
  deps: CompileDeps,
  slicer: Slicer,
  previous?: Snapshot,
): Promise<Snapshot> {
  return slicer.run(compiling(state, deps, previous?.router));
}

function* compiling(state: ConfigState, deps: CompileDeps, previousRouter?: Router): Work<Snapshot> {
  const problems: ConfigProblem[] = [];
  const built = yield* build(state, deps, problems);
  if (problems.length > 0) {
    for (const h of built.handlers) void h.close?.();
    throw new KeywayError(
      'KW_ERR_VALIDATION',
      { reason: `configuration cannot be served: ${problems.length} problem(s)` },
      {
        details: problems.map((p) => ({
          path: `/${p.workspace}/${p.kind}/${p.key}${p.field}`,
          message: p.message,
        })),
      },
    );
  }
  const router = yield* Router.build(built.routes, previousRouter);
  return serving(state.version, router, built);
}

/**
 * `prepare` and `close` hold the plugin handlers only: a retired snapshot waits a while for `close`
 * (src/snapshot/manager.ts), and must not keep its routes and router alive meanwhile (with reloads every
 * few seconds that was several full configurations on the heap).
 */
function serving(version: number, router: Router, built: Built): Snapshot {
  const handlers = built.handlers;
  return {
    version,
    router,
    routes: built.routes,
    services: built.services,
    async prepare() {
      await Promise.all(handlers.map(async (h) => h.prepare?.()));
    },
    close: async () => {
      await Promise.all(handlers.map(async (h) => h.close?.()));
    },
  };
}

/** The checks alone, for the control layer. */
export function collectProblems(state: ConfigState, deps: CompileDeps): ConfigProblem[] {
  return runNow(problemsOf(state, deps));
}

function* problemsOf(state: ConfigState, deps: CompileDeps): Work<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const built = yield* build(state, deps, problems);
  for (const h of built.handlers) void h.close?.();
  // Checked on writes only: a configuration stored before the rule still compiles and serves.
  problems.push(...workspacePathOverlaps(built.routes));
  return problems;
}

interface Built {
  routes: CompiledRoute[];
  services: Map<string, CompiledService>;
  handlers: PluginHandlers[];
}

function* build(state: ConfigState, deps: CompileDeps, problems: ConfigProblem[]): Work<Built> {
  const out: Built = { routes: [], services: new Map(), handlers: [] };
  for (const ws of state.workspaces) yield* buildWorkspace(ws, deps, problems, out);
  problems.push(...(yield* findingCollisions(out.routes)));
  return out;
}

function* buildWorkspace(
  ws: WorkspaceState,
  deps: CompileDeps,
  problems: ConfigProblem[],
  out: Built,
): Work<void> {
  const upstreams = new Map(ws.upstreams.map((u) => [u.name, u]));
  const services = new Map<string, CompiledService>();
  const serviceNames = new Set<string>();
  for (const svc of ws.services) {
    serviceNames.add(svc.name);
    const compiled = compileService(ws.name, svc, upstreams, deps, problems);
    if (compiled !== undefined) {
      services.set(svc.name, compiled);
      out.services.set(`${ws.name}/${svc.name}`, compiled);
    }
    yield;
  }

  const identities = yield* IdentityIndex.building(ws);
  const ai = buildCatalog(ws, { secrets: deps.secrets }, problems);
  const env = { workspace: ws.name, identities, services: deps.services ?? {}, ai };
  const instances = new Map<string, PluginHandlers>();
  for (const p of ws.plugins) {
    if (p.enabled === false) continue;
    yield;
    const def = getPlugin(p.name);
    const key = `${p.name}@${p.id}`;
    if (def === undefined) {
      problems.push({
        workspace: ws.name,
        kind: 'plugins',
        key: pluginKey(p),
        field: '/name',
        message: `unknown plugin "${p.name}"`,
      });
      continue;
    }
    // Secrets are sealed in the store: `create` gets them opened, and the checks see the real values.
    const { config, details } = openPluginSecrets(p.name, p.config ?? {}, { box: deps.secrets });
    const invalid = details.length > 0 ? details : validatePluginConfig(p.name, config);
    if (invalid.length > 0) {
      for (const d of invalid)
        problems.push({
          workspace: ws.name,
          kind: 'plugins',
          key: pluginKey(p),
          field: d.path,
          message: d.message,
        });
      continue;
    }
    try {
      const handlers = def.create(config as never, env);
      instances.set(key, handlers);
      out.handlers.push(handlers);
    } catch (err) {
      const message = err instanceof Error ? err.message : 'plugin could not start';
      problems.push({ workspace: ws.name, kind: 'plugins', key: pluginKey(p), field: '/config', message });
    }
  }
  const priorityOf = (name: string): number => getPlugin(name)?.priority ?? 0;
  const scopes = new PluginScopes(ws.plugins);
  const consumerByName = new Map(ws.consumers.map((c) => [c.username, c]));
  const sharedPhases = new Map<string, RoutePhases>();

  for (const r of ws.routes) {
    yield;
    const routeProblems = checkRoutePaths(ws.name, r);
    problems.push(...routeProblems);
    const service = services.get(r.service);
    if (service === undefined) {
      if (!serviceNames.has(r.service)) {
        problems.push({
          workspace: ws.name,
          kind: 'routes',
          key: r.name,
          field: '/service',
          message: `service "${r.service}" does not exist`,
        });
      }
      continue;
    }
    if (routeProblems.length > 0 || service.def.enabled === false) continue;
    const phasesFor = (consumer: Stored<'consumers'> | undefined): RoutePhases => {
      const chosen = new Map<string, { score: number; key: string; handlers: PluginHandlers }>();
      for (const p of scopes.applicable(r.name, r.service, consumer?.username)) {
        const key = `${p.name}@${p.id}`;
        const handlers = instances.get(key);
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
      let phases = sharedPhases.get(key);
      if (phases === undefined) {
        phases = toPhases(ordered.map(([, v]) => v.handlers));
        sharedPhases.set(key, phases);
      }
      return phases;
    };
    // Only consumers with configs of their own on this route get phases of their own: for the others
    // the route's phases are what those would be.
    let consumerPhases: Map<string, RoutePhases> | undefined;
    for (const username of scopes.consumersOn(r.name, r.service)) {
      const c = consumerByName.get(username);
      if (c === undefined) continue;
      consumerPhases ??= new Map();
      consumerPhases.set(c.id, phasesFor(c));
      yield;
    }
    const phases = phasesFor(undefined);
    if (service.ai && phases.proxy.length === 0) {
      problems.push({
        workspace: ws.name,
        kind: 'routes',
        key: r.name,
        field: '/service',
        message: `service "${r.service}" is an ai:// service: its routes need the ai-proxy plugin`,
      });
      continue;
    }
    out.routes.push({
      workspace: ws.name,
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
    });
  }
}

function compileService(
  workspace: string,
  svc: Stored<'services'>,
  upstreams: ReadonlyMap<string, Stored<'upstreams'>>,
  deps: CompileDeps,
  problems: ConfigProblem[],
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
  if (url.protocol === 'ai:') return aiService(workspace, svc, deps);
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
  return {
    workspace,
    name: svc.name,
    id: svc.id,
    def,
    protocol,
    basePath: url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, ''),
    hostHeader: url.host,
    upstream: upstream?.name,
    balancer: new Balancer(protocol, targets, upstream?.algorithm ?? 'round-robin'),
    dispatcher: deps.agents.get({ connectTimeoutMs: def.connect_timeout_ms, tlsVerify: def.tls_verify }),
    ai: false,
  };
}

/** `ai://…`: nothing to forward to; the route's ai-proxy plugin answers (src/plugins/ai-proxy). */
function aiService(workspace: string, svc: Stored<'services'>, deps: CompileDeps): CompiledService {
  const def = { ...SERVICE_DEFAULTS, ...stripMeta(svc) };
  return {
    workspace,
    name: svc.name,
    id: svc.id,
    def,
    protocol: 'http:',
    basePath: '',
    hostHeader: '',
    upstream: undefined,
    balancer: new Balancer('http:', [], 'round-robin'),
    dispatcher: deps.agents.get({ connectTimeoutMs: def.connect_timeout_ms, tlsVerify: def.tls_verify }),
    ai: true,
  };
}

function stripMeta(
  svc: Stored<'services'>,
): Omit<Stored<'services'>, 'id' | 'created_at' | 'updated_at' | 'description' | 'tags'> {
  const { id: _i, created_at: _c, updated_at: _u, description: _d, tags: _t, ...rest } = svc;
  return rest;
}

function toPhases(list: PluginHandlers[]): RoutePhases {
  const phases: RoutePhases = {
    identify: [],
    authorize: [],
    limit: [],
    transform: [],
    proxy: [],
    respond: [],
    log: [],
    errorBody: undefined,
    empty: true,
  };
  for (const h of list) {
    phases.errorBody ??= h.errorBody;
    for (const phase of PHASES) {
      const fn = h[phase];
      if (fn === undefined) continue;
      (phases[phase] as unknown[]).push(fn);
      phases.empty = false;
    }
  }
  return phases;
}
