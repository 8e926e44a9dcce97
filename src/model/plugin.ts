import type { FromSchema } from 'json-schema-to-ts';
import { nameSchema, tagsSchema } from './common.js';

/**
 * A plugin configured at a scope. No scope field: global. `service`, `route` and `consumer` narrow it;
 * for one plugin name the most specific configuration wins (see docs/plugins.md).
 */
export const pluginSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: nameSchema,
    enabled: { type: 'boolean' },
    service: nameSchema,
    route: nameSchema,
    consumer: nameSchema,
    config: { type: 'object' },
    tags: tagsSchema,
  },
} as const;

/** A plugin configuration as the schema above has it. */
export type PluginConfig = FromSchema<typeof pluginSchema>;

/** The stable identity of a plugin configuration inside its workspace: name + scope. */
export function pluginKey(p: Pick<PluginConfig, 'name' | 'service' | 'route' | 'consumer'>): string {
  return `${p.name}@${pluginScope(p)}`;
}

type Attached = Pick<PluginConfig, 'service' | 'route' | 'consumer'>;

/** Where a config is attached: `global`, or `service=…`, `route=…`, `consumer=…` joined by commas. */
export function pluginScope(p: Attached): string {
  const scope: string[] = [];
  if (p.service !== undefined) scope.push(`service=${p.service}`);
  if (p.route !== undefined) scope.push(`route=${p.route}`);
  if (p.consumer !== undefined) scope.push(`consumer=${p.consumer}`);
  return scope.length === 0 ? 'global' : scope.join(',');
}

/** The most specific level a config is attached at (a consumer's beats a route's beats a service's). */
export function pluginLevel(p: Attached): 'consumer' | 'route' | 'service' | 'global' {
  return p.consumer !== undefined
    ? 'consumer'
    : p.route !== undefined
      ? 'route'
      : p.service !== undefined
        ? 'service'
        : 'global';
}
