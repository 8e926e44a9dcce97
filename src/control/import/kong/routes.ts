/**
 * Kong routes → Keyway routes. Paths, hosts, methods, headers, strip_path and preserve_host mean the
 * same in both; a regex path, a literal `:` and the fields Keyway does not route by are handled below.
 */
import type { ImportContext, RouteOut, ServiceOut } from './context.js';
import { fieldList, type KongObject, type Path } from './input.js';
import { keywayTags } from './names.js';
import { collectPlugins } from './plugin-scope.js';
import { HTTP_METHODS } from '../../../model/route.js';

export const ROUTE_FIELDS = fieldList(`
  id name protocols methods hosts paths headers https_redirect_status_code regex_priority
  strip_path path_handling preserve_host request_buffering response_buffering snis sources
  destinations tags service plugins expression priority created_at updated_at filter_chains
`);
const METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);
export function convertRoute(cx: ImportContext, ro: KongObject, path: Path, service: ServiceOut): void {
  const { reader: r, report } = cx;
  const kongName = r.string([...path, 'name'], ro['name']);
  const id = r.string([...path, 'id'], ro['id']);
  const out: RouteOut = {
    name: cx.routeNames.claim(
      kongName,
      `${service.name}-route-${String(path[path.length - 1])}`,
      path,
      'route',
    ),
  };
  if (ro['expression'] !== undefined && ro['expression'] !== null) {
    report.dropped(
      path,
      'route',
      'Keyway has no expressions router: write the route’s paths, hosts and methods instead',
    );
    return;
  }
  const protocols = r.strings([...path, 'protocols'], ro['protocols']);
  const http = protocols.length === 0 || protocols.some((p) => p === 'http' || p === 'https');
  if (!http) {
    report.dropped(path, 'route', `Keyway routes HTTP and HTTPS only, not ${protocols.join(', ')}`);
    return;
  }
  if (protocols.length > 0 && !protocols.includes('http'))
    report.changed(
      [...path, 'protocols'],
      'route',
      'Keyway serves the route on its plain HTTP listener too (Kong answered plain HTTP with a redirect to HTTPS)',
    );
  const paths = r
    .strings([...path, 'paths'], ro['paths'])
    .map((p, j) => routePath(cx, p, [...path, 'paths', j]));
  const hosts = r.strings([...path, 'hosts'], ro['hosts']);
  const methods = r.strings([...path, 'methods'], ro['methods']).map((m) => m.toUpperCase());
  for (const m of methods)
    if (!METHODS.has(m)) r.fail([...path, 'methods'], `${m} is not an HTTP method Keyway routes`);
  // Kong matches a route with neither paths nor hosts on its other fields alone: every path.
  out.paths = paths.length === 0 && hosts.length === 0 ? ['/'] : paths.length === 0 ? undefined : paths;
  if (out.paths === undefined) delete out.paths;
  if (hosts.length > 0) out.hosts = hosts;
  if (methods.length > 0) out.methods = [...new Set(methods)];
  const headers = routeHeaders(cx, ro['headers'], [...path, 'headers']);
  if (headers !== undefined) out.headers = headers;
  const strip = r.boolean([...path, 'strip_path'], ro['strip_path']);
  if (strip === false) out.strip_path = false;
  const preserve = r.boolean([...path, 'preserve_host'], ro['preserve_host']);
  if (preserve === true) out.preserve_host = true;
  const priority = r.number([...path, 'regex_priority'], ro['regex_priority']);
  if (priority !== undefined && priority !== 0) {
    out.priority = Math.min(Math.max(Math.trunc(priority), -1000), 1000);
    if (out.priority !== priority)
      report.changed(
        [...path, 'regex_priority'],
        'route',
        `Keyway priorities are -1000–1000: ${out.priority}`,
      );
  }
  if (r.list([...path, 'filter_chains'], ro['filter_chains']).length > 0)
    report.dropped([...path, 'filter_chains'], 'route', 'Keyway has no WebAssembly filters');
  for (const f of ['snis', 'sources', 'destinations'] as const)
    if (r.list([...path, f], ro[f]).length > 0)
      report.dropped([...path, f], 'route', `Keyway routes by host, path, method and headers, not by ${f}`);
  if (r.string([...path, 'path_handling'], ro['path_handling']) === 'v1')
    report.changed(
      [...path, 'path_handling'],
      'route',
      'Keyway joins the service path and the forwarded path as Kong’s v0 does',
    );
  const tags = keywayTags(r.strings([...path, 'tags'], ro['tags']), path, 'route', report);
  if (tags !== undefined) out.tags = tags;
  service.routes.push(out);
  const entry = { route: out, service };
  for (const ref of [kongName, id]) if (ref !== undefined) cx.routeRef.set(ref, entry);
  collectPlugins(cx, [...path, 'plugins'], ro['plugins'], { route: out.name });
}

/**
 * Kong 3.x: a path starting with `~` is a regular expression, anchored at the start of the path;
 * Keyway's regex paths are searched, so the anchor is written out. Other paths are prefixes in both.
 */
function routePath(cx: ImportContext, p: string, path: Path): string {
  if (p.startsWith('~')) {
    const re = p.slice(1);
    return re.startsWith('^') ? p : `~^${re}`;
  }
  if (!p.startsWith('/')) {
    cx.reader.fail(path, 'must start with / (or ~ for a regular expression)');
    return p;
  }
  // A `:` is literal in Kong, a parameter in Keyway: `/a/:b` would match any second segment.
  if (/\/:/.test(p)) {
    const re = p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    cx.report.changed(
      path,
      'route',
      'a segment starting with `:` is a parameter in Keyway: written as a regular expression',
    );
    return `~^${re}`;
  }
  return p;
}

function routeHeaders(cx: ImportContext, value: unknown, path: Path): Record<string, string[]> | undefined {
  if (value === undefined || value === null) return undefined;
  const r = cx.reader;
  if (typeof value !== 'object' || Array.isArray(value)) {
    r.fail(path, 'must be a mapping of header name to a list of values');
    return undefined;
  }
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(value as KongObject)) {
    const list = r.strings([...path, name], values);
    // Kong 3.x: a value starting with `~*` is a regular expression; Keyway compares values.
    if (list.some((v) => v.startsWith('~*'))) {
      cx.report.dropped(
        [...path, name],
        'route',
        'Keyway matches header values exactly (case-insensitive), not by regular expression',
      );
      continue;
    }
    out[name] = list;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}
