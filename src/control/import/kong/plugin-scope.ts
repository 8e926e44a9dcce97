/**
 * Where Kong plugins sit: nested in a service, a route or a consumer, or at the top level naming them.
 * Each is collected with its scope resolved to Keyway names; once converted (plugins.ts) it is placed
 * back under its one owner, or in the top-level list when it is global or scoped to two things.
 */
import type { ImportContext, KongPlugin, PluginOut, PluginScope as Scope } from './context.js';
import { fieldList, type Path } from './input.js';
import { keywayTags } from './names.js';

const PLUGIN_FIELDS = fieldList(`
  id name config enabled protocols tags service route consumer consumer_group instance_name
  ordering run_on created_at updated_at partials condition model
`);

/**
 * Plugins nested in an entity (the scope is the entity's) or the top-level list (`scope` empty). They are
 * read once every service, route and consumer is known, since any plugin may name any of them.
 */
export function collectPlugins(cx: ImportContext, path: Path, list: unknown, scope: Scope): void {
  cx.pluginLists.push({ path, list, scope });
}

export function readPlugins(cx: ImportContext): void {
  for (const { path, list, scope } of cx.pluginLists) readList(cx, path, list, scope);
}

function readList(cx: ImportContext, path: Path, list: unknown, scope: Scope): void {
  const { reader: r, report } = cx;
  r.list(path, list).forEach((raw, i) => {
    const pp: Path = [...path, i];
    const p = r.object(pp, raw, PLUGIN_FIELDS);
    if (p === undefined) return;
    const name = r.required([...pp, 'name'], p['name']);
    if (name === undefined) return;
    const config = p['config'] ?? {};
    const cfg = r.object([...pp, 'config'], config, Object.keys(config));
    if (cfg === undefined) return;
    const plugin: KongPlugin = {
      path: pp,
      name,
      config: cfg,
      enabled: r.boolean([...pp, 'enabled'], p['enabled']) ?? true,
      tags: r.strings([...pp, 'tags'], p['tags']),
      ...scope,
    };
    // A top-level plugin names its scope; a nested one may add another (a service's plugin for one consumer).
    for (const field of ['service', 'route', 'consumer'] as const) {
      const ref = r.reference([...pp, field], p[field]);
      if (ref === undefined) continue;
      const found = keywayNameOf(cx, field, ref);
      if (found === undefined) {
        // Left out with its service or route (reported there), or in another file of the same setup.
        if (field === 'service' && cx.droppedServices.has(ref)) return;
        if (field === 'route' && cx.droppedRoutes.has(ref)) return;
        return report.dropped([...pp, field], name, `names a ${field} this file does not hold`);
      }
      plugin[field] = found;
    }
    if (p['model'] !== undefined && p['model'] !== null) {
      report.dropped(
        pp,
        name,
        'a plugin of a Kong AI model: write Keyway’s AI gateway configuration (docs/ai-gateway.md)',
      );
      return;
    }
    if (p['consumer_group'] !== undefined && p['consumer_group'] !== null) {
      report.dropped(
        pp,
        name,
        'Keyway has no consumer groups: attach the plugin to each consumer, or use a plan',
      );
      return;
    }
    if (r.list([...pp, 'partials'], p['partials']).length > 0)
      report.changed(
        [...pp, 'partials'],
        name,
        'shared partials are not carried: only the config written in the plugin is converted',
      );
    if (p['condition'] !== undefined && p['condition'] !== null)
      report.changed(
        [...pp, 'condition'],
        name,
        'Keyway has no plugin conditions: the plugin applies to every request of its scope',
      );
    if (p['ordering'] !== undefined && p['ordering'] !== null)
      report.changed(
        [...pp, 'ordering'],
        name,
        'Keyway orders plugins by phase and priority; dynamic ordering is not kept',
      );
    cx.kongPlugins.push(plugin);
  });
}

/** The Keyway name of the service, route or consumer a Kong name or id refers to, if the file holds it. */
function keywayNameOf(
  cx: ImportContext,
  field: 'service' | 'route' | 'consumer',
  ref: string,
): string | undefined {
  if (field === 'service') return cx.serviceRef.get(ref)?.name;
  if (field === 'route') return cx.routeRef.get(ref)?.route.name;
  return cx.consumerRef.get(ref)?.username;
}

/** Puts a converted plugin under its one owner, or in the top-level list. */
export function placePlugin(cx: ImportContext, from: KongPlugin, out: PluginOut): void {
  // A route together with its service is the route's scope in Keyway too.
  if (from.route !== undefined) delete from.service;
  if (!from.enabled) out.enabled = false;
  const tags = keywayTags(from.tags, from.path, from.name, cx.report);
  if (tags !== undefined) out.tags = tags;
  const scopes = [from.service, from.route, from.consumer].filter((s) => s !== undefined).length;
  if (scopes === 1 && from.route !== undefined) {
    const route = cx.routeRef.get(from.route)?.route ?? findRoute(cx, from.route);
    if (route !== undefined) return void (route.plugins ??= []).push(out);
  }
  if (scopes === 1 && from.service !== undefined) {
    const service = cx.services.find((s) => s.name === from.service);
    if (service !== undefined) return void (service.plugins ??= []).push(out);
  }
  if (scopes === 1 && from.consumer !== undefined) {
    const consumer = cx.consumers.find((c) => c.username === from.consumer);
    if (consumer !== undefined) return void (consumer.plugins ??= []).push(out);
  }
  cx.plugins.push({
    ...out,
    ...(from.service === undefined ? {} : { service: from.service }),
    ...(from.route === undefined ? {} : { route: from.route }),
    ...(from.consumer === undefined ? {} : { consumer: from.consumer }),
  });
}

function findRoute(cx: ImportContext, name: string) {
  for (const s of cx.services) for (const r of s.routes) if (r.name === name) return r;
  return undefined;
}
