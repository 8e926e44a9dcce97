/**
 * A snapshot patched with a config delta (src/store/changes.ts) instead of compiled again from the whole
 * configuration: a write of one service or route then costs what it changed, not what exists. Unchanged
 * compiled services, routes and plugin instances are reused by reference, the maps by id and name are
 * layered over the previous ones (src/snapshot/layered-map.ts), and the route list is the previous one
 * with the changed routes taken out and put back in order. The router keeps its matching structure when
 * no route was added, removed or re-routed (src/snapshot/router.ts); otherwise it is built again, in
 * slices — the one part of a route write that still costs what exists.
 *
 * What a patch still copies is the workspace's lists of service and route rows (two arrays of pointers,
 * kept so that the next patch, and a comparison with a full compile, see the state as the store has it).
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
import { LayeredMap } from './layered-map.js';
import type { ConfigChange, ConfigDelta } from '../store/types.js';
import type { CompileDeps, Snapshot } from './compile.js';
import { serving } from './compile.js';
import { compileRoute, compileService, type Row, type WorkspaceBasis } from './compile-parts.js';
import { Router } from './router.js';
import type { Work } from './slices.js';

/** The kinds a delta may touch and still be patched. */
export const PATCHED_KINDS: ReadonlySet<string> = new Set(['services', 'routes']);

/** A route row to compile again, and its workspace. */
interface Dirty {
  workspace: string;
  row: Stored<'routes'>;
}

/** What a delta changes in the compiled maps. */
interface Changed {
  services: Array<[string, CompiledService]>;
  servicesGone: string[];
  /** Every route id whose compiled route changes (deleted ones included). */
  routeIds: Set<string>;
  rows: Dirty[];
}

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
  const changed: Changed = { services: [], servicesGone: [], routeIds: new Set(), rows: [] };
  for (const [name, changes] of byWorkspace) {
    const old = workspaces.get(name) as WorkspaceBasis;
    workspaces.set(name, yield* patchWorkspace(old, changes, deps, problems, changed));
  }
  if (problems.length > 0) return undefined;

  // The previous route list, changed routes taken out, recompiled ones put back in order.
  const routes = prev.routes.slice();
  for (const id of changed.routeIds) {
    const was = basis.routeById.get(id);
    const at = was === undefined ? -1 : routes.indexOf(was);
    if (at !== -1) routes.splice(at, 1);
  }
  const states: WorkspaceState[] = basis.state.workspaces.map((ws) => workspaces.get(ws.name)?.state ?? ws);
  const order = new Map(states.map((ws, i) => [ws.name, i]));
  const compiled: Array<[string, CompiledRoute]> = [];
  for (const { workspace, row } of changed.rows) {
    yield;
    const route = compileRoute(workspace, row, workspaces.get(workspace) as WorkspaceBasis, problems);
    if (route === undefined) continue;
    routes.splice(positionOf(routes, route, order), 0, route);
    compiled.push([row.id, route]);
  }
  if (problems.length > 0) return undefined;

  const router = yield* Router.patch(routes, prev.router, prev.routes);
  return serving(
    router,
    {
      state: { version: delta.version, workspaces: states },
      workspaces,
      routeById: LayeredMap.of(basis.routeById).with(compiled, changed.routeIds),
      handlers: basis.handlers,
      services: LayeredMap.of(prev.services).with(changed.services, changed.servicesGone),
      routes,
    },
    true,
  );
}

function* patchWorkspace(
  old: WorkspaceBasis,
  changes: readonly ConfigChange[],
  deps: CompileDeps,
  problems: ConfigProblem[],
  changed: Changed,
): Work<WorkspaceBasis> {
  const ws = old.state.name;
  const state: WorkspaceState = {
    ...old.state,
    services: old.state.services.slice(),
    routes: old.state.routes.slice(),
  };
  /** Rows this delta set (or deleted: undefined), over the basis's. */
  const rows = new Map<string, Row | undefined>();
  const rowOf = (id: string): Row | undefined => (rows.has(id) ? rows.get(id) : old.rowById.get(id));
  /** The route lists by service this delta changed (copies). */
  const byService = new Map<string, Stored<'routes'>[]>();
  const routesOf = (service: string): Stored<'routes'>[] => {
    let list = byService.get(service);
    if (list === undefined) {
      list = [...(old.routesByService.get(service) ?? [])];
      byService.set(service, list);
    }
    return list;
  };
  /** Service names whose compiled service changed: as they were, and as they are. */
  const changedNames = new Set<string>();
  /** A service was changed or deleted: routes naming it compile again (a new name has no routes yet). */
  let existed = false;
  const servicesGone: string[] = [];
  for (const c of changes) {
    const gone = rowOf(c.id);
    if (c.kind === 'services') {
      if (gone !== undefined) {
        remove(state.services, gone as Stored<'services'>);
        existed = true;
        changedNames.add(gone.name);
        servicesGone.push(gone.name);
        changed.servicesGone.push(`${ws}/${gone.name}`);
      }
      const now = c.resource as Stored<'services'> | undefined;
      if (now !== undefined) {
        insertByName(state.services, now);
        changedNames.add(now.name);
      }
      rows.set(c.id, now);
    } else {
      if (gone !== undefined) {
        const route = gone as Stored<'routes'>;
        remove(state.routes, route);
        remove(routesOf(route.service), route);
      }
      changed.routeIds.add(c.id);
      const now = c.resource as Stored<'routes'> | undefined;
      if (now !== undefined) {
        insertByName(state.routes, now);
        routesOf(now.service).push(now);
        changed.rows.push({ workspace: ws, row: now });
      }
      rows.set(c.id, now);
    }
    yield;
  }
  // Compiled after every removal: two services swapping names must not meet half-way.
  const compiled: Array<[string, CompiledService]> = [];
  for (const name of changedNames) {
    const svc = findByName(state.services, name);
    const service = svc && compileService(ws, svc, old.upstreams, deps.agents, problems, deps.states);
    if (service === undefined) continue;
    compiled.push([name, service]);
    changed.services.push([`${ws}/${name}`, service]);
  }
  if (existed) {
    for (const name of changedNames) {
      for (const r of byService.get(name) ?? old.routesByService.get(name) ?? []) {
        if (changed.routeIds.has(r.id)) continue;
        changed.routeIds.add(r.id);
        changed.rows.push({ workspace: ws, row: r });
      }
    }
  }
  const setRows: Array<[string, Row]> = [];
  const goneRows: string[] = [];
  for (const [id, row] of rows) {
    if (row === undefined) goneRows.push(id);
    else setRows.push([id, row]);
  }
  return {
    ...old,
    state,
    services: LayeredMap.of(old.services).with(compiled, servicesGone),
    rowById: LayeredMap.of(old.rowById).with(setRows, goneRows),
    routesByService: LayeredMap.of(old.routesByService).with(byService),
  };
}

/** Where `route` goes in a list ordered by workspace, then name (the order a full compile gives). */
function positionOf(
  routes: readonly CompiledRoute[],
  route: CompiledRoute,
  order: ReadonlyMap<string, number>,
): number {
  const ws = order.get(route.workspace) ?? 0;
  let lo = 0;
  let hi = routes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const other = routes[mid];
    const otherWs = order.get(other.workspace) ?? 0;
    if (otherWs < ws || (otherWs === ws && other.name < route.name)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Removes `row` from a list sorted by name (found by name, then by reference if the order differs). */
function remove<T extends { name: string }>(list: T[], row: T): void {
  let at = indexByName(list, row.name);
  if (list[at] !== row) at = list.indexOf(row);
  if (at !== -1) list.splice(at, 1);
}

/** The index where `name` is, or goes, in a list sorted by name (byte-wise, as the store orders keys). */
function indexByName(list: ReadonlyArray<{ name: string }>, name: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].name < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function findByName<T extends { name: string }>(list: readonly T[], name: string): T | undefined {
  const found = list[indexByName(list, name)];
  // A store whose collation orders names otherwise than byte-wise: look the slow way.
  return found?.name === name ? found : list.find((x) => x.name === name);
}

function insertByName<T extends { name: string }>(list: T[], item: T): void {
  list.splice(indexByName(list, item.name), 0, item);
}
