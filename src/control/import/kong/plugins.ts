/**
 * Each Kong plugin of the file → zero or more Keyway plugins at the same scope. The plugins Keyway has
 * an equivalent of are converted (plugins-auth.ts, plugins-traffic.ts); every other one is reported with
 * the reason, never dropped silently.
 */
import type { ImportContext, PluginOut } from './context.js';
import { PluginConfig } from './plugin-config.js';
import { placePlugin } from './plugin-scope.js';
import { acl, jwt, keyAuth } from './plugins-auth.js';
import { ipRestriction, rateLimiting, requestTermination, responseTransformer } from './plugins-traffic.js';

const CONVERTERS: Record<string, (c: PluginConfig) => PluginOut[]> = {
  'key-auth': keyAuth,
  jwt,
  acl,
  'rate-limiting': rateLimiting,
  'ip-restriction': ipRestriction,
  'response-transformer': responseTransformer,
  'request-termination': requestTermination,
};

/** Why a Kong plugin has no Keyway counterpart, and what to do instead where there is something. */
const NOT_YET: Record<string, string> = {
  cors: 'Keyway has no CORS plugin yet: preflight requests reach the route’s plugins and the upstream',
  'proxy-cache': 'Keyway has no response cache yet',
  'request-transformer': 'Keyway has no request transformer yet (a route’s path_rewrite rewrites paths)',
  'basic-auth': 'Keyway has no basic-auth: issue API keys (key-auth)',
  'hmac-auth': 'Keyway has no HMAC request signing yet',
  oauth2:
    'Keyway is not an OAuth 2.0 authorization server: use jwt-auth or oauth2-introspection with your IdP',
  'openid-connect': 'use jwt-auth with your IdP’s discovery URL (docs/jwt-oauth2.md)',
  'mtls-auth': 'use mtls-auth with the CA bundle (docs/mtls.md); its config differs',
  prometheus: 'Keyway always serves /metrics on the admin listener (docs/observability.md)',
  'rate-limiting-advanced': 'convert it by hand to rate-limit (sliding windows) (docs/limits.md)',
  'response-ratelimiting': 'Keyway counts requests, not upstream-reported units',
  'request-size-limiting': 'Keyway bounds bodies with node settings, not per route',
  'correlation-id': 'Keyway sends a request id (x-request-id) on every call',
};

export function convertPlugins(cx: ImportContext): void {
  for (const plugin of cx.kongPlugins) {
    const convert = CONVERTERS[plugin.name];
    if (convert === undefined) {
      cx.report.dropped(plugin.path, plugin.name, NOT_YET[plugin.name] ?? 'Keyway has no equivalent plugin');
      continue;
    }
    for (const out of convert(new PluginConfig(cx, plugin))) placePlugin(cx, { ...plugin }, out);
  }
}
