/**
 * Kong services, routes, upstreams and targets → Keyway services (with their routes nested), upstreams.
 *
 * Kong's defaults differ from Keyway's in places, so every field is written out when Kong's value is
 * not Keyway's default: `retries` (Kong 5, Keyway 1), the timeouts (Kong 60 s connect, Keyway 5 s).
 */
import type { ImportContext, RouteOut, ServiceOut, UpstreamOut } from './context.js';
import { fieldList, type KongObject, type Path } from './input.js';
import { keywayTags } from './names.js';
import { collectPlugins } from './plugin-scope.js';

const SERVICE_FIELDS = fieldList(`
  id name url protocol host port path retries connect_timeout write_timeout read_timeout tags
  client_certificate tls_verify tls_verify_depth ca_certificates enabled routes plugins created_at
  updated_at tls_sans filter_chains
`);

export const ROUTE_FIELDS = fieldList(`
  id name protocols methods hosts paths headers https_redirect_status_code regex_priority
  strip_path path_handling preserve_host request_buffering response_buffering snis sources
  destinations tags service plugins expression priority created_at updated_at filter_chains
`);

const UPSTREAM_FIELDS = fieldList(`
  id name algorithm hash_on hash_fallback hash_on_header hash_fallback_header hash_on_cookie
  hash_on_cookie_path hash_on_query_arg hash_fallback_query_arg hash_on_uri_capture
  hash_fallback_uri_capture slots healthchecks tags host_header client_certificate use_srv_name
  targets created_at updated_at sticky_sessions_cookie sticky_sessions_cookie_path
`);

const TARGET_FIELDS = fieldList(`
  id target weight tags created_at upstream updated_at failover
`);

const HTTP_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
]);
const MAX_MS = { connect: 600_000, read: 86_400_000 };

export function convertUpstreams(cx: ImportContext, list: unknown): void {
  const { reader: r, report } = cx;
  r.list(['upstreams'], list).forEach((raw, i) => {
    const path: Path = ['upstreams', i];
    const u = r.object(path, raw, UPSTREAM_FIELDS);
    if (u === undefined) return;
    const kongName = r.required([...path, 'name'], u['name']);
    if (kongName === undefined) return;
    const out: UpstreamOut = {
      name: cx.upstreamNames.claim(kongName, 'upstream', path, 'upstream'),
      targets: [],
    };
    const algorithm = r.string([...path, 'algorithm'], u['algorithm']) ?? 'round-robin';
    if (algorithm === 'least-connections') out.algorithm = 'least-connections';
    else if (algorithm !== 'round-robin')
      report.changed(
        [...path, 'algorithm'],
        'upstream',
        `Keyway balances round-robin or least-connections, not ${algorithm}: round-robin`,
      );
    if (healthChecksOn(u['healthchecks']))
      report.dropped(
        [...path, 'healthchecks'],
        'upstream',
        'Keyway has no active or passive health checks of targets; a target that refuses connections is retried on another (service retries)',
      );
    if (u['host_header'] !== undefined && u['host_header'] !== null)
      report.dropped(
        [...path, 'host_header'],
        'upstream',
        'Keyway sends the target’s host, or the client’s with preserve_host',
      );
    r.list([...path, 'targets'], u['targets']).forEach((t, j) => {
      const tp: Path = [...path, 'targets', j];
      const target = r.object(tp, t, TARGET_FIELDS);
      if (target === undefined) return;
      const address = r.required([...tp, 'target'], target['target']);
      if (address === undefined) return;
      const weight = r.number([...tp, 'weight'], target['weight']);
      if (r.boolean([...tp, 'failover'], target['failover']) === true)
        report.changed(
          [...tp, 'failover'],
          'target',
          'Keyway has no failover targets: this one takes its share of traffic like the others',
        );
      const withPort = targetWithPort(address);
      out.targets.push({ target: withPort, ...(weight === undefined || weight === 100 ? {} : { weight }) });
    });
    const tags = keywayTags(r.strings([...path, 'tags'], u['tags']), path, 'upstream', report);
    if (tags !== undefined) out.tags = tags;
    if (out.targets.length === 0)
      report.changed(path, 'upstream', 'no targets: Keyway needs at least one; add them before applying');
    cx.upstreams.push(out);
    cx.upstreamRef.set(kongName, out.name);
  });
}

/** `host[:port]`, IPv6 bracketed, with Kong's default port (8000) where none is written. */
function targetWithPort(address: string): string {
  if (address.startsWith('[')) return /\]:\d+$/.test(address) ? address : `${address}:8000`;
  if ((address.match(/:/g) ?? []).length > 1) return `[${address}]:8000`;
  return /:\d+$/.test(address) ? address : `${address}:8000`;
}

/** Active checks with an interval, or passive ones counting failures: decK writes the block even when off. */
function healthChecksOn(hc: unknown): boolean {
  if (typeof hc !== 'object' || hc === null) return false;
  const h = hc as {
    active?: { healthy?: { interval?: number }; unhealthy?: { interval?: number } };
    passive?: { unhealthy?: Record<string, number> };
  };
  if ((h.active?.healthy?.interval ?? 0) > 0 || (h.active?.unhealthy?.interval ?? 0) > 0) return true;
  const p = h.passive?.unhealthy ?? {};
  return (p['http_failures'] ?? 0) > 0 || (p['tcp_failures'] ?? 0) > 0 || (p['timeouts'] ?? 0) > 0;
}

export function convertServices(cx: ImportContext, list: unknown): void {
  const { reader: r } = cx;
  r.list(['services'], list).forEach((raw, i) => {
    const path: Path = ['services', i];
    const s = r.object(path, raw, SERVICE_FIELDS);
    if (s === undefined) return;
    const service = convertService(cx, s, path);
    if (service === undefined) return;
    r.list([...path, 'routes'], s['routes']).forEach((route, j) => {
      const rp: Path = [...path, 'routes', j];
      const ro = r.object(rp, route, ROUTE_FIELDS);
      if (ro !== undefined) convertRoute(cx, ro, rp, service);
    });
    collectPlugins(cx, [...path, 'plugins'], s['plugins'], { service: service.name });
  });
}

/** Top-level `routes`, each naming its service. */
export function convertTopRoutes(cx: ImportContext, list: unknown): void {
  const { reader: r } = cx;
  r.list(['routes'], list).forEach((raw, i) => {
    const path: Path = ['routes', i];
    const ro = r.object(path, raw, ROUTE_FIELDS);
    if (ro === undefined) return;
    const ref = r.reference([...path, 'service'], ro['service']);
    const service = ref === undefined ? undefined : cx.serviceRef.get(ref);
    if (service === undefined) {
      // Its plugins go with it: remember its names, so that they are not refused as dangling.
      for (const k of ['name', 'id']) if (typeof ro[k] === 'string') cx.droppedRoutes.add(ro[k]);
      if (ref === undefined)
        cx.report.dropped(
          path,
          'route',
          'a route without a service: Keyway routes lead to a service (give it one, with request-termination if it only answers)',
        );
      else if (!cx.droppedServices.has(ref))
        cx.report.dropped([...path, 'service'], 'route', 'names a service this file does not hold');
      return;
    }
    convertRoute(cx, ro, path, service);
  });
}

function convertService(cx: ImportContext, s: KongObject, path: Path): ServiceOut | undefined {
  const { reader: r, report } = cx;
  const kongName = r.string([...path, 'name'], s['name']);
  const id = r.string([...path, 'id'], s['id']);
  const url = serviceUrl(cx, s, path);
  if (url === undefined) {
    for (const ref of [kongName, id]) if (ref !== undefined) cx.droppedServices.add(ref);
    return undefined;
  }
  const out: ServiceOut = {
    name: cx.serviceNames.claim(kongName, `service-${path[1]}`, path, 'service'),
    url: url.url,
    routes: [],
  };
  const enabled = r.boolean([...path, 'enabled'], s['enabled']);
  if (enabled === false) out.enabled = false;
  const connect = r.number([...path, 'connect_timeout'], s['connect_timeout']) ?? 60_000;
  const read = r.number([...path, 'read_timeout'], s['read_timeout']) ?? 60_000;
  const write = r.number([...path, 'write_timeout'], s['write_timeout']) ?? 60_000;
  out.connect_timeout_ms = clampMs(cx, connect, MAX_MS.connect, [...path, 'connect_timeout']);
  if (read !== 60_000) out.read_timeout_ms = clampMs(cx, read, MAX_MS.read, [...path, 'read_timeout']);
  if (write !== 60_000)
    report.dropped(
      [...path, 'write_timeout'],
      'service',
      'Keyway has no separate write timeout: read_timeout_ms and timeout_ms bound the exchange',
    );
  const retries = r.number([...path, 'retries'], s['retries']) ?? 5;
  out.retries = Math.min(Math.max(0, Math.trunc(retries)), 10);
  if (out.retries !== retries)
    report.changed([...path, 'retries'], 'service', `Keyway allows 0–10 retries: ${out.retries}`);
  const tlsVerify = r.boolean([...path, 'tls_verify'], s['tls_verify']);
  if (tlsVerify === false) out.tls_verify = false;
  else if (tlsVerify === undefined && url.url.startsWith('https:'))
    report.changed(
      path,
      'service',
      'Kong does not verify the upstream’s certificate unless tls_verify is set; Keyway does by default (tls_verify: true)',
    );
  if (r.list([...path, 'filter_chains'], s['filter_chains']).length > 0)
    report.dropped([...path, 'filter_chains'], 'service', 'Keyway has no WebAssembly filters');
  for (const f of ['client_certificate', 'ca_certificates', 'tls_verify_depth', 'tls_sans'] as const)
    if (s[f] !== undefined && s[f] !== null)
      report.dropped(
        [...path, f],
        'service',
        `Keyway has no per-service ${f.replace(/_/g, ' ')} yet (the node's trust store is used)`,
      );
  const tags = keywayTags(r.strings([...path, 'tags'], s['tags']), path, 'service', report);
  if (tags !== undefined) out.tags = tags;
  cx.services.push(out);
  for (const ref of [kongName, id]) if (ref !== undefined) cx.serviceRef.set(ref, out);
  return out;
}

function clampMs(cx: ImportContext, ms: number, max: number, path: Path): number {
  const v = Math.min(Math.max(1, Math.trunc(ms)), max);
  if (v !== ms) cx.report.changed(path, 'service', `Keyway allows 1–${max} ms: ${v}`);
  return v;
}

/** `url`, or `protocol` + `host` + `port` + `path` (decK writes either). */
function serviceUrl(cx: ImportContext, s: KongObject, path: Path): { url: string } | undefined {
  const { reader: r, report } = cx;
  const url = r.string([...path, 'url'], s['url']);
  let protocol: string;
  let host: string | undefined;
  let port: number | undefined;
  let base: string;
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      r.fail([...path, 'url'], 'is not a URL');
      return undefined;
    }
    protocol = parsed.protocol.replace(/:$/, '');
    host = parsed.hostname;
    port = parsed.port === '' ? undefined : Number(parsed.port);
    base = parsed.pathname === '/' && !url.endsWith('/') ? '' : parsed.pathname;
  } else {
    protocol = r.string([...path, 'protocol'], s['protocol']) ?? 'http';
    host = r.string([...path, 'host'], s['host']);
    port = r.number([...path, 'port'], s['port']);
    base = r.string([...path, 'path'], s['path']) ?? '';
    if (host === undefined) {
      r.fail(path, 'needs url, or host (with protocol, port, path)');
      return undefined;
    }
  }
  if (protocol !== 'http' && protocol !== 'https') {
    report.dropped(
      path,
      'service',
      `Keyway proxies HTTP and HTTPS only, not ${protocol}; its routes and plugins are left out too`,
    );
    return undefined;
  }
  const defaultPort = protocol === 'https' ? 443 : 80;
  const upstream = cx.upstreamRef.get(host);
  // Kong ignores the port of a service whose host is an upstream: the targets carry theirs.
  const portPart = port === undefined || port === defaultPort || upstream !== undefined ? '' : `:${port}`;
  return { url: `${protocol}://${upstream ?? host}${portPart}${base}` };
}

function convertRoute(cx: ImportContext, ro: KongObject, path: Path, service: ServiceOut): void {
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
    if (!HTTP_METHODS.has(m)) r.fail([...path, 'methods'], `${m} is not an HTTP method Keyway routes`);
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
