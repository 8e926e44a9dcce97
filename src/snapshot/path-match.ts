/**
 * Path and header matching shared by the router (router.ts) and the per-method reference router its tests
 * compare it with (test/helpers/reference-router.ts): how a route path expands into radix patterns, the remainder a prefix
 * match leaves, header conditions, wildcard hosts and the plain matcher of the slow path.
 */

/** Lowercased header name → allowed lowercased values. */
export type HeaderConditions = ReadonlyArray<readonly [string, ReadonlySet<string>]>;

/** How a registered pattern relates to its route path, to cut the remainder from the raw path. */
export interface PatternTarget {
  /** Pattern was registered as `…/*`: the wildcard param holds the remainder. */
  wildcard: boolean;
  /** The literal prefix of a prefix/exact path, to cut the raw path without re-encoding. */
  literal: string | undefined;
}

/** `/weather` → [`/weather`, `/weather/*`]; `=/x` → [`/x`]; `/` → [`/*`]; `/users/:id` → [it, it + `/*`]. */
export function expandPath(
  path: string,
): Array<[pattern: string, wildcard: boolean, literal: string | undefined]> {
  if (path.startsWith('=')) {
    const p = path.slice(1);
    return [[p, false, p.includes(':') ? undefined : p]];
  }
  const literal = path.includes(':') ? undefined : path;
  if (path.endsWith('/')) return [[`${path}*`, true, literal]];
  return [
    [path, false, literal],
    [`${path}/*`, true, literal],
  ];
}

export function restOf(
  c: PatternTarget,
  rawPath: string,
  params: Record<string, string | undefined>,
): string {
  if (c.literal !== undefined && rawPath.startsWith(c.literal)) {
    const rest = rawPath.slice(c.literal.length);
    return rest === '' || rest.startsWith('/') ? rest : `/${rest}`;
  }
  if (!c.wildcard) return '';
  const wild = params['*'] ?? '';
  return `/${encodeURI(wild)}`;
}

export function compileHeaders(h: Record<string, string[]> | undefined): HeaderConditions {
  if (h === undefined) return [];
  return Object.entries(h).map(
    ([name, values]) => [name.toLowerCase(), new Set(values.map((v) => v.toLowerCase()))] as const,
  );
}

export function headersHold(
  conds: HeaderConditions,
  reqHeaders: Record<string, string | string[] | undefined>,
): boolean {
  for (const [name, allowed] of conds) {
    const v = reqHeaders[name];
    if (v === undefined) return false;
    const values = Array.isArray(v) ? v : [v];
    if (!values.some((x) => allowed.has(x.toLowerCase()))) return false;
  }
  return true;
}

export function wildcardRegex(host: string): RegExp {
  const escaped = host.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]+(?:\\.[^.]+)*');
  return new RegExp(`^${escaped}$`);
}

/** Plain matcher used by the slow path; score favours exact, then longer literal prefixes. */
export function matchPathSlow(
  pattern: string,
  path: string,
): { score: number; params: Record<string, string | undefined>; rest: string } | undefined {
  const exact = pattern.startsWith('=');
  const p = exact ? pattern.slice(1) : pattern;
  const pSeg = p.split('/');
  const rSeg = path.split('/');
  const trailing = p.endsWith('/');
  const n = trailing ? pSeg.length - 1 : pSeg.length;
  if (rSeg.length < n) return undefined;
  const params: Record<string, string | undefined> = {};
  let score = 0;
  for (let i = 0; i < n; i++) {
    const ps = pSeg[i] ?? '';
    const rs = rSeg[i] ?? '';
    if (ps.startsWith(':')) params[ps.slice(1)] = decodeURIComponent(rs);
    else if (ps !== rs) return undefined;
    else score += ps.length + 1;
  }
  const consumed = rSeg.slice(0, n).join('/');
  const rest = path.slice(consumed.length);
  if (exact && rest !== '') return undefined;
  if (!exact && rest !== '' && !rest.startsWith('/') && !trailing) return undefined;
  return {
    score: exact ? score + 1_000_000 : score,
    params,
    rest: trailing && rest !== '' && !rest.startsWith('/') ? `/${rest}` : rest,
  };
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The route's path template a request path matched, for span attributes (`http.route`): one of the route's
 * `paths` as written (an exact path without its `=`), the one the router would pick (regular expressions
 * first, then the best score). Only sampled calls ask, when their span is built — never the router's hot
 * path. Undefined for a route without paths (matched by host or header alone).
 */
export function httpRouteOf(paths: readonly string[] | undefined): ((path: string) => string) | undefined {
  if (paths === undefined || paths.length === 0) return undefined;
  const shown = (p: string): string => (p.startsWith('=') ? p.slice(1) : p);
  const only = paths.length === 1 ? shown(paths[0] ?? '') : undefined;
  if (only !== undefined) return () => only;
  const regexes = paths.filter((p) => p.startsWith('~')).map((p) => ({ p, re: new RegExp(p.slice(1)) }));
  const plain = paths.filter((p) => !p.startsWith('~'));
  return (path) => {
    for (const { p, re } of regexes) if (re.test(path)) return p;
    let best: { p: string; score: number } | undefined;
    for (const p of plain) {
      const m = matchPathSlow(p, path);
      if (m !== undefined && (best === undefined || m.score > best.score)) best = { p, score: m.score };
    }
    return shown(best?.p ?? paths[0] ?? '');
  };
}
