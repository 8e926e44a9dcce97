/**
 * Workspace isolation on the data plane: one router serves every workspace, so a route of one workspace
 * could take requests meant for another's. The rule: routes of two workspaces may match the same request
 * (for a shared method) only when both name hosts and no host of one can be a host of the other. A
 * catch-all route (no hosts) in workspace A and a `shop.example.com` route in workspace B on the same
 * path would otherwise let B take A's traffic for that host (the router prefers the named host).
 *
 * "Match the same request" is decided on the paths' shapes, not their spelling:
 * - a parameter matches any segment, so `/u/:id` meets `/u/me` (the literal would win for `/u/me`);
 * - a prefix path matches everything below it, so `/api` meets `/api/v2` and `=/api/v2/x` (the longer
 *   literal would win there, taking that subtree from the other workspace); `/` meets every path;
 * - a regular expression is decided as far as that is decidable: two identical ones meet; a path meets
 *   one when a request the path matches (parameters filled in, with and without a remainder) matches the
 *   expression; two expressions meet when a request built from either's literal start matches both.
 *   Expressions that could only be told apart by reasoning about their languages are let through.
 *
 * This is a check on writes (the control layer's problems), not on compiling: a configuration stored
 * before the rule existed still serves, and a change that does not add an overlap still applies.
 */
import type { ConfigProblem } from '../model/config-problem.js';
import type { CompiledRoute } from '../pipeline/context.js';
import { wildcardRegex } from './path-match.js';
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

/** One path of a route, in the form the overlap test reads. */
interface PathShape {
  route: CompiledRoute;
  /** `/paths/N` of the route. */
  field: string;
  /** As written. */
  path: string;
  /** Undefined: every method. */
  methods: ReadonlySet<string> | undefined;
  /** Segments (a parameter is `:` or holds one); empty for a regex. */
  segments: string[];
  /** A prefix path: anything below it matches too. */
  open: boolean;
  regex: RegExp | undefined;
}

function shapesOf(route: CompiledRoute): PathShape[] {
  const methods = route.def.methods === undefined ? undefined : new Set(route.def.methods);
  return (route.def.paths ?? ['/']).flatMap((path, i): PathShape[] => {
    const base = { route, field: `/paths/${i}`, path, methods };
    if (path.startsWith('~')) {
      try {
        return [{ ...base, segments: [], open: false, regex: new RegExp(path.slice(1)) }];
      } catch {
        return []; // route-rules.ts reports it
      }
    }
    const exact = path.startsWith('=');
    const p = exact ? path.slice(1) : path;
    const segments = p.split('/').slice(1);
    // `/` and `/api/`: the empty last segment stands for "anything below".
    if (segments.at(-1) === '') segments.pop();
    return [{ ...base, segments, open: !exact, regex: undefined }];
  });
}

/** Can two segments match the same text? A segment with a parameter inside keeps its literal start. */
function segmentsMeet(a: string, b: string): boolean {
  if (a === b) return true;
  const [pa, pb] = [a.indexOf(':'), b.indexOf(':')];
  if (pa === -1 && pb === -1) return false;
  const [la, lb] = [pa === -1 ? a : a.slice(0, pa), pb === -1 ? b : b.slice(0, pb)];
  return la.startsWith(lb) || lb.startsWith(la);
}

function literalPathsMeet(a: PathShape, b: PathShape): boolean {
  for (let i = 0; ; i++) {
    const [sa, sb] = [a.segments[i], b.segments[i]];
    if (sa === undefined && sb === undefined) return true;
    if (sa === undefined) return a.open;
    if (sb === undefined) return b.open;
    if (!segmentsMeet(sa, sb)) return false;
  }
}

/** Requests a path matches: parameters filled in two ways, with and without a remainder. */
function samples(shape: PathShape): string[] {
  const fill = (v: string) => `/${shape.segments.map((s) => (s.includes(':') ? v : s)).join('/')}`;
  const out = [fill('x'), fill('1')];
  return shape.open ? [...out, ...out.map((p) => `${p === '/' ? '' : p}/x`)] : out;
}

/** The literal text a regex's matches start with (`^/v1/items` → `/v1/items`), or '' when unanchored. */
function literalStart(re: RegExp): string {
  const src = re.source;
  if (!src.startsWith('^')) return '';
  let out = '';
  for (let i = 1; i < src.length; i++) {
    const c = src[i] ?? '';
    if (c === '\\') {
      const next = src[i + 1] ?? '';
      if (!/[/.\-_~]/.test(next)) break;
      out += next;
      i++;
    } else if (/[.*+?()[\]{}|^$]/.test(c)) {
      // A quantifier makes the character before it optional.
      if (/[*?{]/.test(c)) out = out.slice(0, -1);
      break;
    } else out += c;
  }
  return out;
}

function regexSamples(re: RegExp): string[] {
  const start = literalStart(re);
  return start === '' ? [] : [start, `${start}x`, `${start}1`, `${start}/x`];
}

function pathsMeet(a: PathShape, b: PathShape): boolean {
  if (a.regex === undefined && b.regex === undefined) return literalPathsMeet(a, b);
  if (a.regex !== undefined && b.regex !== undefined) {
    if (a.regex.source === b.regex.source) return true;
    const [ra, rb] = [a.regex, b.regex];
    return [...regexSamples(ra), ...regexSamples(rb)].some((s) => ra.test(s) && rb.test(s));
  }
  const [re, plain] = a.regex !== undefined ? [a.regex, b] : [b.regex as RegExp, a];
  return samples(plain).some((s) => re.test(s));
}

function methodsMeet(a: PathShape, b: PathShape): string | undefined {
  if (a.methods === undefined) return b.methods === undefined ? ALL_METHODS[0] : [...b.methods][0];
  if (b.methods === undefined) return [...a.methods][0];
  for (const m of a.methods) if (b.methods.has(m)) return m;
  return undefined;
}

/** Literal first segment, the index bucket; undefined for shapes that may start with anything. */
function bucketOf(shape: PathShape): string | undefined {
  if (shape.regex !== undefined) return undefined;
  const first = shape.segments[0];
  return first === undefined || first.includes(':') ? undefined : first;
}

/** The shapes of one workspace, indexed as `workspacePathOverlaps` looks them up. */
interface WorkspaceShapes {
  /** By literal first segment. */
  buckets: Map<string, PathShape[]>;
  /** Shapes that may start with anything (parameters, `/`, regexes). */
  open: PathShape[];
  /** Every shape. */
  seen: PathShape[];
}

export function workspacePathOverlaps(routes: readonly CompiledRoute[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const reported = new Set<string>();
  // Shapes are only compared with other workspaces' shapes, and among those only with shapes that may
  // share their first segment: those of the same literal first segment, and those that may start with
  // anything. A node with one workspace compares nothing: with every shape in one list, a write on 7,869
  // routes spent 3.2 s here (node bench/admin-load.mjs, 100 writes: 360 s, against 37 s without the check).
  const byWorkspace = new Map<string, WorkspaceShapes>();
  for (const route of routes) {
    let own = byWorkspace.get(route.workspace);
    if (own === undefined) {
      own = { buckets: new Map(), open: [], seen: [] };
      byWorkspace.set(route.workspace, own);
    }
    for (const shape of shapesOf(route)) {
      const bucket = bucketOf(shape);
      for (const [workspace, theirs] of byWorkspace) {
        if (workspace === route.workspace) continue;
        const lists = bucket === undefined ? [theirs.seen] : [theirs.buckets.get(bucket) ?? [], theirs.open];
        for (const list of lists)
          for (const other of list) {
            const pair = `${other.route.workspace}/${other.route.name}|${route.workspace}/${route.name}`;
            if (reported.has(pair)) continue;
            const method = methodsMeet(shape, other);
            if (method === undefined || !pathsMeet(shape, other)) continue;
            const [mine, peers] = [hostsOf(route), hostsOf(other.route)];
            const shared =
              mine.length === 0 || peers.length === 0 || mine.some((h) => peers.some((t) => hostsMeet(h, t)));
            if (!shared) continue;
            reported.add(pair);
            // On both routes, so that either side's write names its own path and the other route.
            for (const [self, peer] of [
              [shape, other],
              [other, shape],
            ] as const)
              problems.push({
                workspace: self.route.workspace,
                kind: 'routes',
                key: self.route.name,
                field: self.field,
                message:
                  (self.path === peer.path
                    ? `shares ${method} ${self.path} with route "${peer.route.name}" in workspace "${peer.route.workspace}"`
                    : `${self.path} can match the same ${method} requests as ${peer.path} of route ` +
                      `"${peer.route.name}" in workspace "${peer.route.workspace}"`) +
                  ': routes of two workspaces may match the same requests only when both name hosts and their hosts differ',
              });
          }
      }
      own.seen.push(shape);
      if (bucket === undefined) own.open.push(shape);
      else {
        const list = own.buckets.get(bucket);
        if (list === undefined) own.buckets.set(bucket, [shape]);
        else list.push(shape);
      }
    }
  }
  return problems;
}
