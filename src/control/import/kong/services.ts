/**
 * Kong services → Keyway services, with their routes nested (routes.ts).
 *
 * Kong's defaults differ from Keyway's in places, so a field is written out when Kong's value is not
 * Keyway's default: `retries` (Kong 5, Keyway 1), the connect timeout (Kong 60 s, Keyway 5 s).
 */
import type { ImportContext, ServiceOut } from './context.js';
import { fieldList, type KongObject, type Path } from './input.js';
import { keywayTags } from './names.js';
import { collectPlugins } from './plugin-scope.js';
import { convertRoute, ROUTE_FIELDS } from './routes.js';

const SERVICE_FIELDS = fieldList(`
  id name url protocol host port path retries connect_timeout write_timeout read_timeout tags
  client_certificate tls_verify tls_verify_depth ca_certificates enabled routes plugins created_at
  updated_at tls_sans filter_chains
`);
const MAX_MS = { connect: 600_000, read: 86_400_000 };
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
