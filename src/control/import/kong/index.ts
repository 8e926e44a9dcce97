/**
 * `keyway import kong`: a Kong decK file (format 3.x) → a Keyway declarative file
 * (docs/declarative-config.md) and a report of what could not be carried over, each at its place in
 * the decK file (docs/import-kong.md). Offline and pure: no node, no store, no network.
 *
 * The passes run in reference order: upstreams (services name them), services and routes, consumers
 * and their credentials, then plugins (which may name any of them, and the jwt plugins need every
 * consumer's credentials).
 */
import type { DeclarativeDoc } from '../../types.js';
import { convertConsumers } from './consumers.js';
import { ImportContext, type ImportOptions } from './context.js';
import { fieldList, Reader, type KongObject } from './input.js';
import { collectPlugins, readPlugins } from './plugin-scope.js';
import { convertPlugins } from './plugins.js';
import { ImportReport, type ImportNote } from './report.js';
import { convertServices, convertTopRoutes } from './services.js';
import { convertUpstreams } from './upstreams.js';

export type { ImportOptions } from './context.js';
export { formatNote, type ImportNote } from './report.js';
export { pointerOf, showPath } from './input.js';
export { renderEnvTemplates } from './env-template.js';

const TOP_FIELDS = fieldList(`
  _format_version _transform _info _workspace _konnect _plugin_configs services routes upstreams
  consumers plugins certificates ca_certificates snis consumer_groups vaults keys key_sets
  licenses rbac_roles partials filter_chains custom_entities degraphql_routes workspaces
  custom_plugins cloned_plugins consumer_group_plugins consumer_group_consumers plugins_partials ai_models
`);

/** Kong entities Keyway has no counterpart of in a declarative file. */
const NOT_CONVERTED: Record<string, string> = {
  certificates: 'Keyway’s TLS certificate is a node setting (proxy.tls), not a declarative resource',
  snis: 'Keyway’s TLS certificate is a node setting (proxy.tls), not a declarative resource',
  ca_certificates: 'CA bundles go in the mtls-auth plugin config (docs/mtls.md)',
  consumer_groups: 'Keyway has no consumer groups: use plans for shared limits, acl groups for roles',
  vaults: 'Keyway reads secrets from {secret_env: NAME} or seals them itself',
  keys: 'Keyway has no key resources: jwt-auth takes keys in its config',
  key_sets: 'Keyway has no key resources: jwt-auth takes keys in its config',
  licenses: 'Keyway needs no license',
  rbac_roles: 'admin roles are managed with keyway admins (docs/admin-users.md)',
  partials: 'Keyway has no shared plugin partials',
  filter_chains: 'Keyway has no WebAssembly filters',
  custom_entities: 'custom plugin entities have no counterpart',
  degraphql_routes: 'Keyway has no DeGraphQL',
  workspaces: 'one Keyway file describes one workspace: import each Kong workspace on its own',
  _plugin_configs: 'shared plugin configs are not carried: write them into each plugin',
  custom_plugins: 'Keyway runs its own built-in plugins only',
  cloned_plugins: 'Keyway runs its own built-in plugins only',
  consumer_group_plugins: 'Keyway has no consumer groups',
  consumer_group_consumers: 'Keyway has no consumer groups',
  plugins_partials: 'shared plugin partials are not carried',
  ai_models: 'Keyway’s AI models have their own shape: write ai_providers and ai_models (docs/ai-gateway.md)',
};

export interface KongImport {
  document: DeclarativeDoc;
  notes: ImportNote[];
}

/** Converts a parsed decK file; throws `KW_ERR_CONFIG_FILE` naming every place the file is malformed. */
export function importKong(file: string, input: unknown, options: ImportOptions = {}): KongImport {
  const reader = new Reader(file);
  const report = new ImportReport();
  const top = reader.object([], input, TOP_FIELDS);
  if (top === undefined) {
    reader.done();
    throw new Error('unreachable');
  }
  // A file of another format would only give noise below: stop at its version.
  if (!checkFormat(reader, top)) reader.done();
  const cx = new ImportContext(reader, report, options);
  convertUpstreams(cx, top['upstreams']);
  convertServices(cx, top['services']);
  convertTopRoutes(cx, top['routes']);
  convertConsumers(cx, top['consumers']);
  collectPlugins(cx, ['plugins'], top['plugins'], {});
  readPlugins(cx);
  convertPlugins(cx);
  for (const [field, reason] of Object.entries(NOT_CONVERTED)) {
    const value = top[field];
    const what = field.replace(/^_/, '').replace(/s$/, '');
    // Lists are reported entry by entry; a map (`_plugin_configs`) once.
    if (Array.isArray(value)) value.forEach((_, i) => report.dropped([field, i], what, reason));
    else if (value !== undefined && value !== null) report.dropped([field], what, reason);
  }
  reader.done();
  return { document: assemble(cx, top, options), notes: report.notes };
}

function checkFormat(reader: Reader, top: KongObject): boolean {
  const version = top['_format_version'];
  if (version === undefined) {
    reader.fail(['_format_version'], 'is missing: a decK file says _format_version: "3.0"');
    return false;
  }
  if (typeof version !== 'string' || !/^3\.\d+$/.test(version)) {
    const hint =
      version === '1' || version === 1
        ? 'this looks like a Keyway file already'
        : 'convert it first with `deck file convert --from kong-gateway-2.x --to kong-gateway-3.x`';
    reader.fail(['_format_version'], `is ${JSON.stringify(version)}, not a decK 3.x format ("3.0"): ${hint}`);
    return false;
  }
  return true;
}

function assemble(cx: ImportContext, top: KongObject, options: ImportOptions): DeclarativeDoc {
  const doc: Record<string, unknown> = { _format_version: '1' };
  const workspace =
    options.workspace ?? (typeof top['_workspace'] === 'string' ? top['_workspace'] : undefined);
  if (workspace !== undefined) doc['workspace'] = workspace;
  const info = top['_info'] as { select_tags?: unknown } | undefined;
  if (Array.isArray(info?.select_tags) && info.select_tags.length > 0)
    doc['_info'] = { select_tags: info.select_tags };
  if (cx.upstreams.length > 0) doc['upstreams'] = cx.upstreams;
  // Nested lists last, as `keyway export` writes them: a service's own fields stay together.
  if (cx.services.length > 0)
    doc['services'] = cx.services.map(({ routes, plugins, ...own }) => ({
      ...own,
      routes,
      ...(plugins === undefined ? {} : { plugins }),
    }));
  if (cx.plans.length > 0) doc['plans'] = cx.plans;
  if (cx.consumers.length > 0) doc['consumers'] = cx.consumers;
  if (cx.plugins.length > 0) doc['plugins'] = cx.plugins;
  // The shapes above are Keyway's declarative ones (context.ts); `keyway apply` checks them all.
  return doc as unknown as DeclarativeDoc;
}
