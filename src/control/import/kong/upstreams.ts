/**
 * Kong upstreams and their targets → Keyway upstreams. A service whose host is an upstream's name is
 * balanced across its targets, in Kong and in Keyway alike.
 */
import type { ImportContext, UpstreamOut } from './context.js';
import { fieldList, type Path } from './input.js';
import { keywayTags } from './names.js';

const UPSTREAM_FIELDS = fieldList(`
  id name algorithm hash_on hash_fallback hash_on_header hash_fallback_header hash_on_cookie
  hash_on_cookie_path hash_on_query_arg hash_fallback_query_arg hash_on_uri_capture
  hash_fallback_uri_capture slots healthchecks tags host_header client_certificate use_srv_name
  targets created_at updated_at sticky_sessions_cookie sticky_sessions_cookie_path
`);

const TARGET_FIELDS = fieldList(`
  id target weight tags created_at upstream updated_at failover
`);
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
