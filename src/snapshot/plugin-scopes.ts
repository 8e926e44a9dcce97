/**
 * A workspace's enabled plugin configs indexed by scope, built once per compile: finding the configs that
 * apply to a route looks in three small lists instead of scanning every plugin of the workspace for every
 * route (and again for every consumer with its own configs), which made compiling thousands of routes
 * quadratic.
 */
import type { Stored } from '../model/index.js';

type Plugin = Stored<'plugins'>;

/** Configs of one consumer scope (or of none): workspace-wide, per service, per route. */
class Scope {
  readonly everywhere: Plugin[] = [];
  readonly byService = new Map<string, Plugin[]>();
  readonly byRoute = new Map<string, Plugin[]>();

  add(p: Plugin): void {
    if (p.route !== undefined) push(this.byRoute, p.route, p);
    else if (p.service !== undefined) push(this.byService, p.service, p);
    else this.everywhere.push(p);
  }

  /** Appends the configs applying to the route to `out`. */
  collect(route: string, service: string, out: Plugin[]): void {
    out.push(...this.everywhere);
    out.push(...(this.byService.get(service) ?? []));
    for (const p of this.byRoute.get(route) ?? [])
      if (p.service === undefined || p.service === service) out.push(p);
  }
}

export class PluginScopes {
  private readonly unscoped = new Scope();
  private readonly consumers = new Map<string, Scope>();
  /** Consumers with configs of their own, by where those configs apply (a consumer may be in several). */
  private readonly consumersEverywhere = new Set<string>();
  private readonly consumersByService = new Map<string, Set<string>>();
  private readonly consumersByRoute = new Map<string, Set<string>>();

  constructor(plugins: readonly Plugin[]) {
    for (const p of plugins) {
      if (p.enabled === false) continue;
      if (p.consumer === undefined) {
        this.unscoped.add(p);
        continue;
      }
      let scope = this.consumers.get(p.consumer);
      if (scope === undefined) {
        scope = new Scope();
        this.consumers.set(p.consumer, scope);
      }
      scope.add(p);
      if (p.route !== undefined) addTo(this.consumersByRoute, p.route, p.consumer);
      else if (p.service !== undefined) addTo(this.consumersByService, p.service, p.consumer);
      else this.consumersEverywhere.add(p.consumer);
    }
  }

  /**
   * The enabled configs for a request on `route` (of `service`): with `consumer`, that consumer's own
   * configs too. Same set as filtering every plugin by route, service and consumer; order is irrelevant
   * (the caller keeps the most specific config per plugin name and sorts by priority).
   */
  applicable(route: string, service: string, consumer?: string): Plugin[] {
    const out: Plugin[] = [];
    this.unscoped.collect(route, service, out);
    if (consumer !== undefined) this.consumers.get(consumer)?.collect(route, service, out);
    return out;
  }

  /** Consumers (usernames) with configs of their own that apply to the route. */
  consumersOn(route: string, service: string): Set<string> {
    const out = new Set(this.consumersEverywhere);
    for (const c of this.consumersByService.get(service) ?? []) out.add(c);
    for (const c of this.consumersByRoute.get(route) ?? []) {
      if (out.has(c)) continue;
      const own = this.consumers.get(c)?.byRoute.get(route) ?? [];
      if (own.some((p) => p.service === undefined || p.service === service)) out.add(c);
    }
    return out;
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value]));
  else set.add(value);
}

function push(map: Map<string, Plugin[]>, key: string, p: Plugin): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [p]);
  else list.push(p);
}
