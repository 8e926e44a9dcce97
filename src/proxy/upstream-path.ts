/**
 * Builds the path sent upstream: the service's base path joined with what the route left of the client's
 * path (strip_path), the whole client path, or a rewrite template.
 */
import type { RouteMatch } from '../snapshot/router.js';

export function upstreamPath(match: RouteMatch, rawPath: string): string {
  const { route } = match;
  const base = route.service.basePath;
  let tail: string;
  const rewrite = route.def.path_rewrite;
  if (rewrite !== undefined) {
    tail = rewrite.replace(/\{([^}]*)\}/g, (_, name: string) =>
      name === 'rest' ? match.rest : encodeURIComponent(match.params[name] ?? ''),
    );
  } else if (route.def.strip_path === true) {
    tail = match.rest;
  } else {
    tail = rawPath;
  }
  if (base === '') return tail === '' ? '/' : tail;
  if (tail === '' || tail === '/') return tail === '/' ? `${base}/` : base;
  return base + tail;
}

/**
 * RFC 3986 §5.2.4 remove_dot_segments, applied before routing so `/public/../admin` cannot reach a route
 * it does not name, and so the upstream sees the path the gateway matched. Percent-encoded dots count.
 */
export function normalizePath(path: string): string {
  if (path.indexOf('/.') === -1 && path.indexOf('%2') === -1) return path;
  const decoded = path.replace(/%2e/gi, '.');
  if (decoded.indexOf('/.') === -1) return path;
  const out: string[] = [];
  const segs = decoded.split('/');
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i] ?? '';
    if (s === '.') {
      if (i === segs.length - 1) out.push('');
    } else if (s === '..') {
      out.pop();
      if (i === segs.length - 1) out.push('');
    } else out.push(s);
  }
  return `/${out.join('/')}`;
}

const ENCODED_SEPARATOR = /%(?:2f|5c)/i;
const DOT_PARAMETER_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2};/i;

/**
 * Paths a hardened proxy refuses (400) because the upstream may read them differently from the router:
 * - `%2F` / `%5C` (and a raw `\`): `/public/..%2fadmin` routes under `/public`, and an upstream that decodes
 *   before resolving dot segments serves `/admin`; IIS and some frameworks read `\` as `/`. Envoy's
 *   `path_with_escaped_slashes_action: REJECT_REQUEST` and Apache's `AllowEncodedSlashes Off` do the same.
 *   A route whose API puts encoded slashes in ids opts out (`allow_encoded_slashes`).
 * - a dot segment with a `;` parameter (`/..;/admin`, `/.;/`): Tomcat and Jetty drop the parameter and then
 *   resolve `..`, so it climbs out of the routed prefix; it has no legitimate use, so no route opts out.
 * The query string is not looked at: encoded slashes are ordinary there.
 */
export function unsafePathReason(path: string, allowEncodedSlashes: boolean): string | undefined {
  const pct = path.indexOf('%');
  const semi = path.indexOf(';');
  const backslash = path.indexOf('\\');
  if (pct === -1 && semi === -1 && backslash === -1) return undefined;
  if (!allowEncodedSlashes) {
    if (backslash !== -1) return 'backslash in the path';
    if (pct !== -1 && ENCODED_SEPARATOR.test(path)) return 'encoded "/" or "\\" in the path';
  }
  if (semi !== -1 && DOT_PARAMETER_SEGMENT.test(path)) return 'dot segment with a ";" parameter in the path';
  return undefined;
}
