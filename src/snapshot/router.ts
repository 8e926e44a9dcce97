/**
 * The route matcher of the data plane, compiled once per snapshot.
 *
 * Order of evaluation for a request:
 *  1. host group: routes whose `hosts` list the exact Host (with port, then without), then wildcard hosts
 *     (most specific first), then routes with no `hosts`;
 *  2. inside a group, regex paths (`~…`) in descending `priority`, then the radix tree (find-my-way):
 *     exact (`=/x`) and literal prefixes beat parameters, longer literals beat shorter ones;
 *  3. among routes on the same pattern, the one with the most `headers` conditions that all hold.
 * If the radix candidates on the best pattern all fail their header conditions, a linear scan over the
 * group finds the next best route (slow path, only for header-conditioned routes).
 *
 * Each path pattern is registered once, in one tree, with the set of methods some route on it answers
 * (a find-my-way constraint holding a method bitmask): a request for another method skips that pattern
 * and backtracks to the next best one, exactly as one tree per method did. Registering every pattern once
 * per method made building the router the longest part of a snapshot reload (seconds for 8,000 routes).
 * The build is a sliceable step (src/snapshot/slices.ts): `Router.build` yields after each route and
 * each registered pattern.
 */
import FindMyWay from 'find-my-way';
import { HTTP_METHODS } from '../model/route.js';
import { runNow, type Work } from './slices.js';
import {
  cmp,
  compileHeaders,
  expandPath,
  headersHold,
  matchPathSlow,
  restOf,
  wildcardRegex,
  type HeaderConditions,
} from './path-match.js';
import type { CompiledRoute } from '../pipeline/context.js';

export interface RouteMatch {
  route: CompiledRoute;
  params: Record<string, string | undefined>;
  /** The part of the raw path after what the route pattern consumed ('' or starting with '/'). */
  rest: string;
}

/**
 * Candidates name their route by its position in the snapshot's route list (`at`), not by the object: the
 * matching structure can then be shared by the next snapshot when no route's routing fields changed (a
 * change to a service, a plugin or a consumer), which saves a reload its largest allocation.
 */
interface Candidate {
  at: number;
  /** Bits of `METHOD_BITS` this candidate answers. */
  methods: number;
  headers: HeaderConditions;
  /** Pattern was registered as `…/*`: the wildcard param holds the remainder. */
  wildcard: boolean;
  /** The literal prefix of a prefix/exact path, to cut the raw path without re-encoding. */
  literal: string | undefined;
}

interface RegexCandidate {
  at: number;
  regex: RegExp;
  methods: ReadonlySet<string> | undefined;
  headers: Candidate['headers'];
}

type FmwRouter = ReturnType<typeof FindMyWay>;

/** A route without `methods` answers every method. */
export const ALL_METHODS = HTTP_METHODS;

const METHOD_BITS = new Map<string, number>(HTTP_METHODS.map((m, i) => [m, 1 << i]));
const ALL_METHOD_BITS = (1 << HTTP_METHODS.length) - 1;

/** Name of the find-my-way constraint carrying a pattern's methods. */
const BY_METHOD = 'kwMethods';
/** What `find` is given per method, allocated once. */
const FIND_BY = new Map<string, Record<string, string>>(HTTP_METHODS.map((m) => [m, { [BY_METHOD]: m }]));

/**
 * The constraint's value on a registered pattern is its method bitmask; the value looked up for a request
 * is the request's method. find-my-way asks the storage, per value, for the bitmap of the node's handlers
 * that accept it: set with masks while the node is built, read with methods while routing.
 */
const methodStrategy = {
  name: BY_METHOD,
  mustMatchWhenDerived: false,
  // A node holds one handler per distinct pattern on it (almost always one): two short arrays are the
  // lightest store, and the router keeps one per registered pattern.
  storage() {
    const masks: number[] = [];
    const handlers: number[] = [];
    return {
      get(value: number | string): number | null {
        if (typeof value === 'number') {
          const i = masks.indexOf(value);
          return i === -1 ? null : (handlers[i] ?? null);
        }
        const bit = METHOD_BITS.get(value) ?? 0;
        let found = 0;
        for (let i = 0; i < masks.length; i++) if (((masks[i] ?? 0) & bit) !== 0) found |= handlers[i] ?? 0;
        return found === 0 ? null : found;
      },
      set(mask: number, bitmap: number): void {
        const i = masks.indexOf(mask);
        if (i === -1) {
          masks.push(mask);
          handlers.push(bitmap);
        } else handlers[i] = bitmap;
      },
    };
  },
  /** Never derived from a request: `find` is handed the method. */
  deriveConstraint: () => '',
};

function methodBits(methods: readonly string[] | undefined): number {
  if (methods === undefined) return ALL_METHOD_BITS;
  let bits = 0;
  for (const m of methods) bits |= METHOD_BITS.get(m) ?? 0;
  return bits;
}

/** Routes sharing one host selector. */
class HostGroup {
  readonly fmw: FmwRouter = FindMyWay({
    ignoreTrailingSlash: false,
    caseSensitive: true,
    maxParamLength: 2048,
    // find-my-way's types want a handler-returning storage; this one returns handler bitmaps (see above).
    constraints: { [BY_METHOD]: methodStrategy as never },
  });
  /** Pattern → the candidates on it, whatever their methods. */
  readonly slots = new Map<string, Candidate[]>();
  readonly regexes: RegexCandidate[] = [];
  /** Every (route, path) of the group, for the slow path. */
  readonly all: Array<{
    at: number;
    methods: readonly string[] | undefined;
    path: string;
    headers: Candidate['headers'];
  }> = [];
  hasHeaderRoutes = false;

  add(route: CompiledRoute, at: number, path: string, headers: Candidate['headers']): void {
    this.all.push({ at, methods: route.def.methods, path, headers });
    if (headers.length > 0) this.hasHeaderRoutes = true;
    if (path.startsWith('~')) {
      this.regexes.push({
        at,
        regex: new RegExp(path.slice(1)),
        methods: route.def.methods === undefined ? undefined : new Set(route.def.methods),
        headers,
      });
      return;
    }
    const methods = methodBits(route.def.methods);
    for (const [pattern, wildcard, literal] of expandPath(path)) {
      let slot = this.slots.get(pattern);
      if (slot === undefined) {
        slot = [];
        this.slots.set(pattern, slot);
      }
      slot.push({ at, methods, headers, wildcard, literal });
    }
  }

  /** Orders the candidates and registers each pattern once, with the union of its candidates' methods. */
  *seal(routes: readonly CompiledRoute[]): Work<void> {
    const route = (at: number): CompiledRoute => routes[at];
    this.regexes.sort(
      (a, b) =>
        (route(b.at).def.priority ?? 0) - (route(a.at).def.priority ?? 0) ||
        cmp(route(a.at).name, route(b.at).name),
    );
    // Patterns differing only in parameter names share a tree node: one per method tree used to refuse
    // the second (find-my-way's "already declared"); the same patterns still refuse the same way.
    const shapes = new Map<string, number>();
    for (const [pattern, slot] of this.slots) {
      slot.sort((a, b) => b.headers.length - a.headers.length || cmp(route(a.at).name, route(b.at).name));
      let methods = 0;
      for (const c of slot) methods |= c.methods;
      if (methods === 0) continue;
      const shape = pattern.includes(':') ? pattern.replace(/:[^/]+/g, ':') : pattern;
      const taken = shapes.get(shape) ?? 0;
      if ((taken & methods) !== 0) {
        const method = HTTP_METHODS.find((_, i) => (taken & methods & (1 << i)) !== 0) ?? 'GET';
        throw new Error(`Method '${method}' already declared for route '${shape}'`);
      }
      shapes.set(shape, taken | methods);
      this.fmw.on('GET', pattern, { constraints: { [BY_METHOD]: methods } }, () => undefined, slot);
      yield;
    }
  }

  match(
    routes: readonly CompiledRoute[],
    method: string,
    path: string,
    reqHeaders: Record<string, string | string[] | undefined>,
  ): RouteMatch | undefined {
    for (const rc of this.regexes) {
      if (rc.methods !== undefined && !rc.methods.has(method)) continue;
      const m = rc.regex.exec(path);
      if (m === null || !headersHold(rc.headers, reqHeaders)) continue;
      const params: Record<string, string | undefined> = { ...m.groups };
      const rest = m.index === 0 ? path.slice(m[0].length) : path;
      return {
        route: routes[rc.at],
        params,
        rest: rest === '' || rest.startsWith('/') ? rest : `/${rest}`,
      };
    }
    const by = FIND_BY.get(method);
    if (by === undefined) return undefined;
    const found = this.fmw.find('GET', path, by);
    if (found === null) return undefined;
    const slot = found.store as Candidate[];
    const bit = METHOD_BITS.get(method) ?? 0;
    for (const c of slot) {
      if ((c.methods & bit) === 0) continue;
      if (c.headers.length > 0 && !headersHold(c.headers, reqHeaders)) continue;
      return {
        route: routes[c.at],
        params: found.params,
        rest: restOf(c, path, found.params),
      };
    }
    return this.hasHeaderRoutes ? this.slowMatch(routes, method, path, reqHeaders) : undefined;
  }

  /** Used only when header conditions rejected the best radix candidates. */
  private slowMatch(
    routes: readonly CompiledRoute[],
    method: string,
    path: string,
    reqHeaders: Record<string, string | string[] | undefined>,
  ): RouteMatch | undefined {
    let best: { score: number; match: RouteMatch } | undefined;
    for (const entry of this.all) {
      if (entry.path.startsWith('~')) continue;
      if (entry.methods !== undefined && !entry.methods.includes(method)) continue;
      if (!headersHold(entry.headers, reqHeaders)) continue;
      const m = matchPathSlow(entry.path, path);
      if (m === undefined) continue;
      const score = m.score * 100 + entry.headers.length;
      if (best === undefined || score > best.score)
        best = { score, match: { route: routes[entry.at], params: m.params, rest: m.rest } };
    }
    return best?.match;
  }
}

/** What a route contributes to routing, in the order of the route list: equal keys, equal routing. */
function routingKey(route: CompiledRoute): string {
  const d = route.def;
  return JSON.stringify([route.name, d.paths, d.methods, d.hosts, d.headers, d.priority]);
}

/** The matching structure of a route list, shareable by snapshots whose routes route alike. */
class RouterIndex {
  readonly exactHosts = new Map<string, HostGroup>();
  readonly wildcardHosts: Array<{ regex: RegExp; specificity: number; group: HostGroup }> = [];
  readonly anyHost = new HostGroup();

  /** `keys`: each route's `routingKey`, in order (what a later route list is compared with). */
  constructor(readonly keys: readonly string[]) {}

  *load(routes: readonly CompiledRoute[]): Work<void> {
    const wildcard = new Map<string, { regex: RegExp; specificity: number; group: HostGroup }>();
    for (const [at, route] of routes.entries()) {
      const headers = compileHeaders(route.def.headers);
      const paths = route.def.paths ?? ['/'];
      const groups: HostGroup[] = [];
      if (route.def.hosts === undefined || route.def.hosts.length === 0) groups.push(this.anyHost);
      for (const rawHost of route.def.hosts ?? []) {
        const host = rawHost.toLowerCase();
        if (host.includes('*')) {
          let w = wildcard.get(host);
          if (w === undefined) {
            w = { regex: wildcardRegex(host), specificity: host.length, group: new HostGroup() };
            wildcard.set(host, w);
          }
          groups.push(w.group);
        } else {
          let g = this.exactHosts.get(host);
          if (g === undefined) {
            g = new HostGroup();
            this.exactHosts.set(host, g);
          }
          groups.push(g);
        }
      }
      for (const group of groups) for (const path of paths) group.add(route, at, path, headers);
      yield;
    }
    this.wildcardHosts.push(...wildcard.values());
    this.wildcardHosts.sort((a, b) => b.specificity - a.specificity);
    for (const g of this.exactHosts.values()) yield* g.seal(routes);
    for (const w of this.wildcardHosts) yield* w.group.seal(routes);
    yield* this.anyHost.seal(routes);
  }

  /** The index of `routes`: `previous` itself when it fits them, else a new one. */
  static *building(routes: readonly CompiledRoute[], previous?: RouterIndex): Work<RouterIndex> {
    const keys: string[] = [];
    for (const route of routes) {
      keys.push(routingKey(route));
      yield;
    }
    if (previous?.fits(keys) === true) return previous;
    const index = new RouterIndex(keys);
    yield* index.load(routes);
    return index;
  }

  /** True when `keys` route exactly as this index does. */
  fits(keys: readonly string[]): boolean {
    if (keys.length !== this.keys.length) return false;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== this.keys[i]) return false;
    return true;
  }
}

export class Router {
  private readonly routes: readonly CompiledRoute[];
  private readonly index: RouterIndex;

  /**
   * Builds the router in one go (`Router.build` is the same build as a sliceable step); with `index`, serves
   * `routes` through that structure, built for a list that routes alike.
   */
  constructor(routes: readonly CompiledRoute[] = [], index?: RouterIndex) {
    this.routes = routes;
    this.index = index ?? runNow(RouterIndex.building(routes));
  }

  /**
   * Builds the router of `routes`, or, when `previous` routes exactly alike (same routes in the same order
   * with the same names, paths, methods, hosts, headers and priorities), shares its matching structure and
   * only points it at the new route objects. Sliceable: yields after each route and registered pattern.
   */
  static *build(routes: readonly CompiledRoute[], previous?: Router): Work<Router> {
    return new Router(routes, yield* RouterIndex.building(routes, previous?.index));
  }

  /**
   * The router of `routes`, the route list of a patched snapshot (src/snapshot/patch.ts) whose predecessor
   * served `previousRoutes` through `previous`: shares its matching structure when the lists have the same
   * length and every route that is a new object routes as the one it replaces; else builds a new one.
   * Comparing objects first keeps this at one pointer comparison per unchanged route.
   */
  static *patch(
    routes: readonly CompiledRoute[],
    previous: Router,
    previousRoutes: readonly CompiledRoute[],
  ): Work<Router> {
    const index = previous.index;
    if (routes.length === previousRoutes.length && routes.length === index.keys.length) {
      let alike = true;
      for (let at = 0; at < routes.length && alike; at++) {
        const route = routes[at];
        if (route !== previousRoutes[at]) alike = routingKey(route) === index.keys[at];
      }
      if (alike) return new Router(routes, index);
    }
    return yield* Router.build(routes);
  }

  get size(): number {
    return this.routes.length;
  }

  /** True when this router shares `other`'s matching structure (tests and the reload log). */
  sharesIndexWith(other: Router): boolean {
    return this.index === other.index;
  }

  match(
    method: string,
    host: string | undefined,
    path: string,
    headers: Record<string, string | string[] | undefined>,
  ): RouteMatch | undefined {
    const { index, routes } = this;
    if (host !== undefined && (index.exactHosts.size > 0 || index.wildcardHosts.length > 0)) {
      const h = host.toLowerCase();
      const colon = h.lastIndexOf(':');
      const bare = colon > h.lastIndexOf(']') ? h.slice(0, colon) : h;
      const exact = index.exactHosts.get(h) ?? (bare === h ? undefined : index.exactHosts.get(bare));
      const m = exact?.match(routes, method, path, headers);
      if (m !== undefined) return m;
      for (const w of index.wildcardHosts) {
        if (!w.regex.test(bare) && !w.regex.test(h)) continue;
        const wm = w.group.match(routes, method, path, headers);
        if (wm !== undefined) return wm;
      }
    }
    return index.anyHost.match(routes, method, path, headers);
  }
}
