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
