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
import {
  pluginKey,
  pluginLevel,
  pluginScope,
  type ConfigState,
  type WorkspaceState,
} from '../model/index.js';
import { getPlugin, openPluginSecrets, validatePluginConfig } from '../plugins/registry.js';
import { PluginConfigError, type PluginServices } from '../pipeline/plugin.js';
import type { PluginHandlers } from '../pipeline/context.js';
import { buildCatalog } from '../ai/catalog.js';
import type { SecretBox } from '../keys/secret-box.js';
import { IdentityIndex } from './identities.js';
import type { AgentCache } from './agents.js';
import type { UpstreamStates } from './upstream-states.js';
import type { ConfigProblem } from '../model/config-problem.js';
import { PluginScopes } from './plugin-scopes.js';
import { Router } from './router.js';
import { findingCollisions } from './route-rules.js';
import { workspacePathOverlaps } from './workspace-paths.js';
import { runNow, type Slicer, type Work } from './slices.js';
import { SubscriptionGates } from './subscription-gate.js';
import type { CompiledRoute, CompiledService } from '../pipeline/context.js';
import {
  compileRoute,
  compileService,
  rowIndexes,
  upstreamProblems,
  type WorkspaceBasis,
} from './compile-parts.js';

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
  /** What it was compiled from and against: where a patch starts (src/snapshot/patch.ts). */
  readonly basis: SnapshotBasis;
}

/** The inputs of a snapshot a patch reuses: unchanged services, routes and plugin instances by reference. */
export interface SnapshotBasis {
  readonly state: ConfigState;
  readonly workspaces: ReadonlyMap<string, WorkspaceBasis>;
  /** Served routes by id. */
  readonly routeById: ReadonlyMap<string, CompiledRoute>;
  /**
   * The plugin instances. A patched snapshot shares its predecessor's: they are closed once, when the
   * last snapshot holding them retires (the manager compares this array).
   */
  readonly handlers: readonly PluginHandlers[];
}

export interface CompileDeps {
  agents: AgentCache;
  /** The node's target and service states (health, breakers, in flight); a config check has none. */
  states?: UpstreamStates;
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
  return serving(router, {
    state,
    workspaces: built.workspaces,
    routeById: new Map(built.routes.map((r) => [r.id, r])),
    handlers: built.handlers,
    services: built.services,
    routes: built.routes,
  });
}

/** A basis with what a snapshot serves besides its router. */
export interface Served extends SnapshotBasis {
  readonly routes: readonly CompiledRoute[];
  readonly services: ReadonlyMap<string, CompiledService>;
}

/**
 * `prepare` and `close` hold the plugin handlers only: a retired snapshot waits a while for `close`
 * (src/snapshot/manager.ts), and must not keep its routes and router alive meanwhile (with reloads every
 * few seconds that was several full configurations on the heap). A patched snapshot's handlers were
 * prepared with the snapshot that created them: `prepared` skips that.
 */
export function serving(router: Router, built: Served, prepared = false): Snapshot {
  const handlers = built.handlers;
  const { routes, services, ...rest } = built;
  return {
    version: built.state.version,
    router,
    routes,
    services,
    basis: rest,
    async prepare() {
      if (!prepared) await Promise.all(handlers.map(async (h) => h.prepare?.()));
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
  /** Per workspace, what its routes were compiled against (a later patch compiles against it too). */
  workspaces: Map<string, WorkspaceBasis>;
}

function* build(state: ConfigState, deps: CompileDeps, problems: ConfigProblem[]): Work<Built> {
  const out: Built = { routes: [], services: new Map(), handlers: [], workspaces: new Map() };
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
  for (const u of ws.upstreams) problems.push(...upstreamProblems(ws.name, u));
  const services = new Map<string, CompiledService>();
  for (const svc of ws.services) {
    const compiled = compileService(ws.name, svc, upstreams, deps.agents, problems, deps.states);
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
      const handlers = def.create(config as never, { ...env, scope: pluginScope(p), level: pluginLevel(p) });
      instances.set(key, handlers);
      out.handlers.push(handlers);
    } catch (err) {
      const message = err instanceof Error ? err.message : 'plugin could not start';
      const field = err instanceof PluginConfigError ? `/config${err.path}` : '/config';
      problems.push({ workspace: ws.name, kind: 'plugins', key: pluginKey(p), field, message });
    }
  }
  const basis: WorkspaceBasis = {
    state: ws,
    upstreams,
    services,
    instances,
    scopes: new PluginScopes(ws.plugins),
    consumerByName: new Map(ws.consumers.map((c) => [c.username, c])),
    sharedPhases: new Map(),
    identities,
    gates: new SubscriptionGates(ws, identities),
    ...rowIndexes(ws),
  };
  out.workspaces.set(ws.name, basis);
  for (const r of ws.routes) {
    yield;
    const route = compileRoute(ws.name, r, basis, problems);
    if (route !== undefined) out.routes.push(route);
  }
}
