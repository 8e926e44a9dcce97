/**
 * A snapshot patched with a config delta (src/store/changes.ts) instead of compiled again from the whole
 * configuration: a write of one service or route then costs what it changed, not what exists. Unchanged
 * compiled services, routes and plugin instances are reused by reference; the router keeps its matching
 * structure when no route was added, removed or re-routed (src/snapshot/router.ts).
 *
 * Patched: services and routes. A service change recompiles the service and every route naming it (by its
 * old or new name); a route change recompiles that route against its workspace's unchanged basis (plugin
 * instances, plugin scopes, consumers, upstreams). Every other kind — plugins, consumers, apps, plans,
 * upstreams, AI resources, a workspace itself — changes what many routes and plugin instances were built
 * from: `patching` answers undefined and the caller compiles the whole configuration, as it does when the
 * delta does not start at this snapshot's version. So does a patch that finds a problem (the full compile
 * then reports it): collisions between routes are not looked for here, since the change was checked
 * against the whole configuration when it was committed and the snapshot it starts from had none.
 */
import type { ConfigProblem } from '../model/config-problem.js';
import type { Stored, WorkspaceState } from '../model/index.js';
import type { CompiledRoute, CompiledService } from '../pipeline/context.js';
import type { ConfigChange, ConfigDelta } from '../store/types.js';
import type { CompileDeps, Snapshot } from './compile.js';
import { serving } from './compile.js';
import { compileRoute, compileService, type WorkspaceBasis } from './compile-parts.js';
import { Router } from './router.js';
import type { Work } from './slices.js';

/** The kinds a delta may touch and still be patched. */
export const PATCHED_KINDS: ReadonlySet<string> = new Set(['services', 'routes']);

/** `prev` with `delta` applied, or undefined when only a full compile can tell (see the top of this file). */
export function* patching(prev: Snapshot, delta: ConfigDelta, deps: CompileDeps): Work<Snapshot | undefined> {
  const basis = prev.basis;
  if (delta.from !== prev.version || delta.version <= prev.version) return undefined;
  const byWorkspace = new Map<string, ConfigChange[]>();
  for (const c of delta.changes) {
    if (!PATCHED_KINDS.has(c.kind) || !basis.workspaces.has(c.workspace)) return undefined;
    const list = byWorkspace.get(c.workspace);
    if (list === undefined) byWorkspace.set(c.workspace, [c]);
    else list.push(c);
  }
  const problems: ConfigProblem[] = [];
  const workspaces = new Map(basis.workspaces);
  const services = new Map(prev.services);
  const routeById = new Map(basis.routeById);
  /** Routes to compile again: changed, or naming a changed service. */
  const dirty = new Set<string>();
  for (const [name, changes] of byWorkspace) {
    const old = workspaces.get(name) as WorkspaceBasis;
    const patched = yield* patchWorkspace(old, changes, deps, problems, services, dirty);
    workspaces.set(name, patched);
  }
  if (problems.length > 0) return undefined;
  for (const id of dirty) routeById.delete(id);

  const states: WorkspaceState[] = basis.state.workspaces.map((ws) => workspaces.get(ws.name)?.state ?? ws);
  const routes: CompiledRoute[] = [];
  for (const ws of states) {
    const wsBasis = workspaces.get(ws.name) as WorkspaceBasis;
    for (const r of ws.routes) {
      yield;
      if (!dirty.has(r.id)) {
        const kept = routeById.get(r.id);
        if (kept !== undefined) routes.push(kept);
        continue;
      }
      const route = compileRoute(ws.name, r, wsBasis, problems);
      if (route === undefined) continue;
      routes.push(route);
      routeById.set(r.id, route);
    }
  }
  if (problems.length > 0) return undefined;

  const router = yield* Router.patch(routes, prev.router, prev.routes);
  const state = { version: delta.version, workspaces: states };
  return serving(router, { state, workspaces, routeById, handlers: basis.handlers, services, routes }, true);
}

function* patchWorkspace(
  old: WorkspaceBasis,
  changes: readonly ConfigChange[],
  deps: CompileDeps,
  problems: ConfigProblem[],
  allServices: Map<string, CompiledService>,
  dirty: Set<string>,
): Work<WorkspaceBasis> {
  const ws = old.state.name;
  const state: WorkspaceState = {
    ...old.state,
    services: old.state.services.slice(),
    routes: old.state.routes.slice(),
  };
  const services = new Map(old.services);
  /** Service names whose compiled service changed: as they were, and as they are. */
  const changedNames = new Set<string>();
  for (const c of changes) {
    if (c.kind === 'services') {
      const gone = remove(state.services, c.id);
      if (gone !== undefined) {
        changedNames.add(gone.name);
        services.delete(gone.name);
        allServices.delete(`${ws}/${gone.name}`);
      }
      const now = c.resource as Stored<'services'> | undefined;
      if (now !== undefined) {
        insertByName(state.services, now);
        changedNames.add(now.name);
      }
    } else {
      remove(state.routes, c.id);
      dirty.add(c.id);
      if (c.resource !== undefined) insertByName(state.routes, c.resource as Stored<'routes'>);
    }
    yield;
  }
  // Compiled after every removal: two services swapping names must not meet half-way.
  for (const svc of state.services) {
    if (!changedNames.has(svc.name)) continue;
    const compiled = compileService(ws, svc, old.upstreams, deps.agents, problems);
    if (compiled !== undefined) {
      services.set(svc.name, compiled);
      allServices.set(`${ws}/${svc.name}`, compiled);
    }
  }
  if (changedNames.size > 0) {
    for (const r of state.routes) {
      if (changedNames.has(r.service)) dirty.add(r.id);
      yield;
    }
  }
  return { ...old, state, services };
}

/** Removes the resource with `id` from a list sorted by name; returns it. */
function remove<T extends { id: string }>(list: T[], id: string): T | undefined {
  const at = list.findIndex((x) => x.id === id);
  return at === -1 ? undefined : list.splice(at, 1)[0];
}

/** Inserts in name order: the order the store loads rows in (by key, byte-wise). */
function insertByName<T extends { name: string }>(list: T[], item: T): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].name < item.name) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
}
