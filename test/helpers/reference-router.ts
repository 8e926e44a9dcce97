/**
 * Test support: the router as it was before its build was sliced, one find-my-way tree per method with
 * every pattern registered once per method. The router tests check the current router against it on
 * generated configurations and requests: the sliced build must answer exactly as this one did.
 */
import FindMyWay from 'find-my-way';
import { HTTP_METHODS } from '../../src/model/route.js';
import {
  cmp,
  compileHeaders,
  expandPath,
  headersHold,
  matchPathSlow,
  restOf,
  wildcardRegex,
  type HeaderConditions,
} from '../../src/snapshot/path-match.js';
import type { RouteMatch } from '../../src/snapshot/router.js';
import type { CompiledRoute } from '../../src/pipeline/context.js';

interface Candidate {
  route: CompiledRoute;
  headers: HeaderConditions;
  /** Pattern was registered as `…/*`: the wildcard param holds the remainder. */
  wildcard: boolean;
  /** The literal prefix of a prefix/exact path, to cut the raw path without re-encoding. */
  literal: string | undefined;
}

interface RegexCandidate {
  route: CompiledRoute;
  regex: RegExp;
  methods: ReadonlySet<string> | undefined;
  headers: Candidate['headers'];
}

type FmwRouter = ReturnType<typeof FindMyWay>;

const ALL_METHODS = HTTP_METHODS;

/** Routes sharing one host selector. */
class HostGroup {
  readonly fmw: FmwRouter = FindMyWay({
    ignoreTrailingSlash: false,
    caseSensitive: true,
    maxParamLength: 2048,
  });
  readonly slots = new Map<string, Candidate[]>();
  readonly regexes: RegexCandidate[] = [];
  /** Every (route, path) of the group, for the slow path. */
  readonly all: Array<{ route: CompiledRoute; path: string; headers: Candidate['headers'] }> = [];
  hasHeaderRoutes = false;

  add(route: CompiledRoute, path: string, headers: Candidate['headers']): void {
    this.all.push({ route, path, headers });
    if (headers.length > 0) this.hasHeaderRoutes = true;
    const methods = route.def.methods ?? ALL_METHODS;
    if (path.startsWith('~')) {
      this.regexes.push({
        route,
        regex: new RegExp(path.slice(1)),
        methods: route.def.methods === undefined ? undefined : new Set(route.def.methods),
        headers,
      });
      return;
    }
    for (const [pattern, wildcard, literal] of expandPath(path)) {
      for (const method of methods) {
        const key = `${method} ${pattern}`;
        let slot = this.slots.get(key);
        if (slot === undefined) {
          slot = [];
          this.slots.set(key, slot);
          const store = slot;
          this.fmw.on(method, pattern, () => undefined, store);
        }
        slot.push({ route, headers, wildcard, literal });
      }
    }
  }

  seal(): void {
    this.regexes.sort(
      (a, b) => (b.route.def.priority ?? 0) - (a.route.def.priority ?? 0) || cmp(a.route.name, b.route.name),
    );
    for (const slot of this.slots.values())
      slot.sort((a, b) => b.headers.length - a.headers.length || cmp(a.route.name, b.route.name));
  }

  match(
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
      return { route: rc.route, params, rest: rest === '' || rest.startsWith('/') ? rest : `/${rest}` };
    }
    const found = this.fmw.find(method as 'GET', path);
    if (found === null) return undefined;
    const slot = found.store as Candidate[];
    for (const c of slot) {
      if (c.headers.length > 0 && !headersHold(c.headers, reqHeaders)) continue;
      return { route: c.route, params: found.params, rest: restOf(c, path, found.params) };
    }
    return this.hasHeaderRoutes ? this.slowMatch(method, path, reqHeaders) : undefined;
  }

  /** Used only when header conditions rejected the best radix candidates. */
  private slowMatch(
    method: string,
    path: string,
    reqHeaders: Record<string, string | string[] | undefined>,
  ): RouteMatch | undefined {
    let best: { score: number; match: RouteMatch } | undefined;
    for (const entry of this.all) {
      if (entry.path.startsWith('~')) continue;
      const methods: readonly string[] | undefined = entry.route.def.methods;
      if (methods !== undefined && !methods.includes(method)) continue;
      if (!headersHold(entry.headers, reqHeaders)) continue;
      const m = matchPathSlow(entry.path, path);
      if (m === undefined) continue;
      const score = m.score * 100 + entry.headers.length;
      if (best === undefined || score > best.score)
        best = { score, match: { route: entry.route, params: m.params, rest: m.rest } };
    }
    return best?.match;
  }
}

export class ReferenceRouter {
  private readonly exactHosts = new Map<string, HostGroup>();
  private readonly wildcardHosts: Array<{ regex: RegExp; specificity: number; group: HostGroup }> = [];
  private readonly anyHost = new HostGroup();
  readonly size: number;

  constructor(routes: readonly CompiledRoute[]) {
    const wildcard = new Map<string, { regex: RegExp; specificity: number; group: HostGroup }>();
    for (const route of routes) {
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
      for (const group of groups) for (const path of paths) group.add(route, path, headers);
    }
    this.wildcardHosts.push(...wildcard.values());
    this.wildcardHosts.sort((a, b) => b.specificity - a.specificity);
    for (const g of this.exactHosts.values()) g.seal();
    for (const w of this.wildcardHosts) w.group.seal();
    this.anyHost.seal();
    this.size = routes.length;
  }

  match(
    method: string,
    host: string | undefined,
    path: string,
    headers: Record<string, string | string[] | undefined>,
  ): RouteMatch | undefined {
    if (host !== undefined && (this.exactHosts.size > 0 || this.wildcardHosts.length > 0)) {
      const h = host.toLowerCase();
      const colon = h.lastIndexOf(':');
      const bare = colon > h.lastIndexOf(']') ? h.slice(0, colon) : h;
      const exact = this.exactHosts.get(h) ?? (bare === h ? undefined : this.exactHosts.get(bare));
      const m = exact?.match(method, path, headers);
      if (m !== undefined) return m;
      for (const w of this.wildcardHosts) {
        if (!w.regex.test(bare) && !w.regex.test(h)) continue;
        const wm = w.group.match(method, path, headers);
        if (wm !== undefined) return wm;
      }
    }
    return this.anyHost.match(method, path, headers);
  }
}
