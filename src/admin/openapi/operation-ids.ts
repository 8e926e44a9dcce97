/**
 * The `operationId` of every admin operation, derived here and nowhere else, from its method and path,
 * so a route file never names one and an id changes only when its path does (docs/admin-api.md):
 *
 * - a collection: `GET /services` → `listServices`, `POST /services` → `createService`;
 * - an item: `GET|PUT|PATCH|DELETE /services/{idOrKey}` → `getService`, `replaceService`, `updateService`,
 *   `deleteService`;
 * - nested: `GET /services/{service}/routes` → `listServiceRoutes`, `POST /apps/{app}/keys` → `createAppKey`;
 * - an action (a verb after the thing it acts on): `POST /keys/{id}/rotate` → `rotateKey`;
 * - the `/workspaces/{workspace}` prefix of a workspace-scoped path adds nothing;
 * - the paths that are neither collections nor items are named in `NAMED`.
 */

/** Path segments that are verbs: the operation is that action on the thing before it. */
const ACTIONS = new Set(['approve', 'reject', 'suspend', 'resume', 'revoke', 'rotate', 'rollback', 'import']);

/** Operations whose path is a single thing or a query, not a collection: their ids by hand. */
const NAMED: Readonly<Record<string, string>> = {
  'GET /status': 'getStatus',
  'GET /health': 'getHealth',
  'GET /ready': 'getReadiness',
  'GET /metrics': 'getMetrics',
  'POST /login': 'login',
  'POST /console/api/session': 'signInConsole',
  'GET /console/api/session': 'getConsoleSession',
  'DELETE /console/api/session': 'signOutConsole',
  'GET /config': 'exportConfig',
  'POST /config': 'applyConfig',
  'GET /audit-log': 'listAuditLog',
  'GET /plugins/available': 'listAvailablePlugins',
  'GET /usage': 'getUsage',
  'POST /explain': 'explainRequest',
  'GET /upstreams/{name}/health': 'getUpstreamHealth',
  'GET /analytics/summary': 'getAnalyticsSummary',
  'GET /analytics/timeseries': 'getAnalyticsTimeseries',
  'GET /alerts/history': 'listAlertHistory',
  // Revoked, not deleted: the record stays, and the answer shows it.
  'DELETE /keys/{id}': 'revokeKey',
  'DELETE /admins/{name}/tokens/{id}': 'revokeAdminToken',
  // A log search without a workspace spans every workspace; under /workspaces/{workspace}, one.
  'GET /logs': 'searchLogs',
  'GET /workspaces/{workspace}/logs': 'searchWorkspaceLogs',
  'GET /workspaces/{workspace}/history': 'listConfigHistory',
  'GET /workspaces/{workspace}/history/{version}': 'getConfigVersion',
  'POST /workspaces/{workspace}/history/{version}/rollback': 'rollbackConfig',
};

const IRREGULAR: Readonly<Record<string, string>> = { history: 'history', status: 'status' };

function singular(word: string): string {
  return IRREGULAR[word] ?? word.replace(/ies$/, 'y').replace(/s$/, '');
}

function pascal(word: string): string {
  return word
    .split(/[-_]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

const isParam = (segment: string): boolean => segment.startsWith('{');

/** `path` in OpenAPI form (`/services/{idOrKey}`). */
export function operationId(method: string, path: string): string {
  const verb = method.toUpperCase();
  let segments = path.split('/').filter((s) => s !== '');
  // `/workspaces/{workspace}/services` is `listServices`; `/workspaces/{workspace}` itself is a workspace.
  if (segments[0] === 'workspaces' && segments[1] === '{workspace}' && segments.length > 2)
    segments = segments.slice(2);
  const named = NAMED[`${verb} ${path}`] ?? NAMED[`${verb} /${segments.join('/')}`];
  if (named !== undefined) return named;
  const last = segments[segments.length - 1] ?? '';
  const words = segments.filter((s) => !isParam(s));
  const action = !isParam(last) && ACTIONS.has(last) && segments.length > 1;
  if (action) words.pop();
  const nouns = words.map((w) => pascal(singular(w)));
  if (action) return `${last}${nouns.join('')}`;
  if (isParam(last)) {
    const item = { GET: 'get', PUT: 'replace', PATCH: 'update', DELETE: 'delete', POST: 'post' }[verb];
    if (item !== undefined) return `${item}${nouns.join('')}`;
  } else if (verb === 'GET') {
    // The collection keeps its plural: `listServiceRoutes`.
    nouns[nouns.length - 1] = pascal(last);
    return `list${nouns.join('')}`;
  } else if (verb === 'POST') {
    return `create${nouns.join('')}`;
  }
  throw new Error(
    `no operationId for ${verb} ${path}: name it in NAMED (src/admin/openapi/operation-ids.ts)`,
  );
}
