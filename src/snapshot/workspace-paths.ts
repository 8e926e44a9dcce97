/**
 * Workspace isolation on the data plane: one router serves every workspace, so a route of one workspace
 * could take requests meant for another's. The rule: routes of two workspaces may share a path (the same
 * pattern, for a shared method) only when both name hosts and no host of one can be a host of the other.
 * A catch-all route (no hosts) in workspace A and a `shop.example.com` route in workspace B on the same
 * path would otherwise let B take A's traffic for that host (the router prefers the named host).
 *
 * This is a check on writes (the control layer's problems), not on compiling: a configuration stored
 * before the rule existed still serves, and a change that does not add an overlap still applies.
 */
import type { ConfigProblem } from '../model/config-problem.js';
import type { CompiledRoute } from '../pipeline/context.js';
import { expandPath, wildcardRegex } from './path-match.js';
import { ALL_METHODS } from './router.js';

/** Could some Host header match both entries? Wildcards answered conservatively (may overlap: yes). */
function hostsMeet(a: string, b: string): boolean {
  if (a === b) return true;
  const wa = a.includes('*');
  const wb = b.includes('*');
  if (!wa && !wb) return false;
  if (wa && !wb) return wildcardRegex(a).test(b);
  if (!wa && wb) return wildcardRegex(b).test(a);
  // Both wildcards: `*.x.com` and `*.com` meet (a.x.com); `*.x.com` and `api.*` meet too (api.x.com).
  const [sa, sb] = [a.startsWith('*.'), b.startsWith('*.')];
  if (sa && sb) return a.endsWith(b.slice(1)) || b.endsWith(a.slice(1));
  if (!sa && !sb) return a.startsWith(b.slice(0, -1)) || b.startsWith(a.slice(0, -1));
  return true;
}

function hostsOf(route: CompiledRoute): string[] {
  return (route.def.hosts ?? []).map((h) => h.toLowerCase());
}

/** The method+pattern keys a route answers, parameters unnamed (`/u/:id` and `/u/:uid` are one path). */
function pathKeys(route: CompiledRoute): Map<string, string> {
  const keys = new Map<string, string>();
  const paths = route.def.paths ?? ['/'];
  paths.forEach((path, i) => {
    const patterns = path.startsWith('~') ? [path] : expandPath(path).map(([p]) => p.replace(/:[^/]+/g, ':'));
    for (const method of route.def.methods ?? ALL_METHODS)
      for (const pattern of patterns)
        if (!keys.has(`${method} ${pattern}`)) keys.set(`${method} ${pattern}`, `/paths/${i}`);
  });
  return keys;
}

export function workspacePathOverlaps(routes: readonly CompiledRoute[]): ConfigProblem[] {
  /** `method pattern` → the routes seen with it so far (any workspace). */
  const seen = new Map<string, CompiledRoute[]>();
  const problems: ConfigProblem[] = [];
  const reported = new Set<string>();
  for (const route of routes) {
    for (const [key, field] of pathKeys(route)) {
      const earlier = seen.get(key) ?? [];
      for (const other of earlier) {
        if (other.workspace === route.workspace) continue;
        const pair = `${other.workspace}/${other.name}|${route.workspace}/${route.name}`;
        if (reported.has(pair)) continue;
        const [mine, theirs] = [hostsOf(route), hostsOf(other)];
        const shared =
          mine.length === 0 || theirs.length === 0 || mine.some((h) => theirs.some((t) => hostsMeet(h, t)));
        if (!shared) continue;
        reported.add(pair);
        const [method, ...rest] = key.split(' ');
        const what = `${method ?? ''} ${rest.join(' ')}`;
        // On both routes, so that either side's write names its own path and the other route.
        for (const [self, peer, at] of [
          [route, other, field],
          [other, route, pathKeys(other).get(key) ?? ''],
        ] as const)
          problems.push({
            workspace: self.workspace,
            kind: 'routes',
            key: self.name,
            field: at,
            message:
              `shares ${what} with route "${peer.name}" in workspace "${peer.workspace}": ` +
              'routes of two workspaces may share a path only when both name hosts and their hosts differ',
          });
      }
      earlier.push(route);
      seen.set(key, earlier);
    }
  }
  return problems;
}
