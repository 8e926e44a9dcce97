/**
 * Route checks the JSON schema cannot make: path syntax the router accepts, regexes that compile,
 * rewrite templates that only use known parameters, and two routes that would answer the same request.
 */
import type { Stored } from '../model/index.js';
import type { ConfigProblem } from '../model/config-problem.js';
import { expandPath } from './path-match.js';
import { ALL_METHODS } from './router.js';
import type { Work } from './slices.js';
import type { CompiledRoute } from '../pipeline/context.js';

export function checkRoutePaths(workspace: string, r: Stored<'routes'>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const bad = (field: string, message: string) =>
    problems.push({ workspace, kind: 'routes', key: r.name, field, message });
  if ((r.paths === undefined || r.paths.length === 0) && (r.hosts === undefined || r.hosts.length === 0)) {
    bad('/paths', 'a route needs at least one path or host');
  }
  const params = new Set<string>(['rest']);
  (r.paths ?? []).forEach((path, i) => {
    const field = `/paths/${i}`;
    if (path.startsWith('~')) {
      try {
        const re = new RegExp(path.slice(1));
        for (const name of Object.keys(new RegExp(`${re.source}|`).exec('')?.groups ?? {})) params.add(name);
      } catch (err) {
        bad(field, `regular expression does not compile: ${err instanceof Error ? err.message : 'invalid'}`);
      }
      return;
    }
    const p = path.startsWith('=') ? path.slice(1) : path;
    if (!p.startsWith('/')) return bad(field, 'must start with /, =/ or ~');
    if (p.includes('*')) return bad(field, 'wildcards are not supported; use a prefix path or a ~regex');
    if (p.includes('//') || /\/\.\.?(\/|$)/.test(p))
      return bad(field, 'must not contain empty or dot segments');
    if (/[?#\s]/.test(p)) return bad(field, 'must not contain ?, # or spaces');
    for (const seg of p.split('/')) {
      if (!seg.startsWith(':')) continue;
      const name = seg.slice(1);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        return bad(field, `parameter "${seg}" must be :name with letters, digits or _`);
      params.add(name);
    }
    return undefined;
  });
  if (r.path_rewrite !== undefined) {
    for (const m of r.path_rewrite.matchAll(/\{([^}]*)\}/g)) {
      const name = m[1] ?? '';
      if (!params.has(name))
        bad(
          '/path_rewrite',
          `{${name}} is not a parameter of this route's paths (known: ${[...params].join(', ')})`,
        );
    }
  }
  return problems;
}

/**
 * Two routes collide when some request would match both with nothing to prefer one: same host
 * selector, a shared method, the same path pattern and the same header conditions. Two patterns that
 * differ only in their parameters' names (`/u/:id`, `/u/:uid`) for a shared method and host are refused
 * too, whatever their header conditions: the router keeps one node per shape, and could not load them.
 * A sliceable step: yields after each route.
 */
export function* findingCollisions(routes: readonly CompiledRoute[]): Work<ConfigProblem[]> {
  const owners = new Map<string, CompiledRoute>();
  /** `host method shape` → the first exact pattern seen with that shape, and its route. */
  const shapes = new Map<string, { pattern: string; route: CompiledRoute }>();
  const problems: ConfigProblem[] = [];
  const reported = new Set<string>();
  /** One problem per pair of routes (and kind of problem), on the later route's path. */
  const report = (pair: string, route: CompiledRoute, field: string, message: string): void => {
    if (reported.has(pair)) return;
    reported.add(pair);
    problems.push({ workspace: route.workspace, kind: 'routes', key: route.name, field, message });
  };
  const where = (other: CompiledRoute, route: CompiledRoute): string =>
    other === route
      ? 'another path of this route'
      : other.workspace === route.workspace
        ? `route "${other.name}"`
        : `route "${other.name}" in workspace "${other.workspace}"`;
  for (const route of routes) {
    yield;
    const hosts =
      route.def.hosts === undefined || route.def.hosts.length === 0
        ? ['*any*']
        : route.def.hosts.map((h) => h.toLowerCase());
    const methods = route.def.methods ?? ALL_METHODS;
    const headers = JSON.stringify(
      Object.entries(route.def.headers ?? {})
        .map(([k, v]) => [k.toLowerCase(), [...v].map((x) => x.toLowerCase()).sort()])
        .sort(),
    );
    for (const path of route.def.paths ?? ['/']) {
      const field = `/paths/${(route.def.paths ?? ['/']).indexOf(path)}`;
      const exact = path.startsWith('~') ? [path] : expandPath(path).map(([p]) => p);
      const patterns = path.startsWith('~') ? exact : exact.map((p) => p.replace(/:[^/]+/g, ':'));
      for (const host of hosts) {
        const onHost = host === '*any*' ? '' : ` on host ${host}`;
        for (const method of methods) {
          for (const [i, pattern] of patterns.entries()) {
            const named = exact[i] ?? pattern;
            if (named !== pattern) {
              const shapeKey = `${host} ${method} ${pattern}`;
              const first = shapes.get(shapeKey);
              if (first === undefined) shapes.set(shapeKey, { pattern: named, route });
              else if (first.pattern !== named)
                report(
                  `${first.route.workspace}/${first.route.name}|${route.workspace}/${route.name}|names`,
                  route,
                  field,
                  `${path} differs from a path of ${where(first.route, route)} only in its parameter names (${method}${onHost}): name the parameters alike`,
                );
            }
            const key = `${host} ${method} ${pattern} ${headers}`;
            const other = owners.get(key);
            if (other === undefined) owners.set(key, route);
            else if (other !== route)
              report(
                `${other.workspace}/${other.name}|${route.workspace}/${route.name}`,
                route,
                field,
                `collides with ${where(other, route)}: both match ${method} ${path}${onHost}`,
              );
          }
        }
      }
    }
  }
  return problems;
}
