/**
 * The plugins this build of Keyway knows. Adding a plugin means adding its folder and one line here.
 */
import type { ErrorDetail } from '../core/errors.js';
import { validate } from '../core/validator.js';
import type { PluginDef } from './types.js';
import { jwtAuth } from './jwt-auth/index.js';
import { keyAuth } from './key-auth/index.js';
import { mtlsAuth } from './mtls-auth/index.js';
import { oauth2Introspection } from './oauth2-introspection/index.js';
import { requestTermination } from './request-termination/index.js';
import { responseHeaders } from './response-headers/index.js';
import { rateLimit } from './rate-limit/index.js';
import { quota } from './quota/index.js';
import { concurrency } from './concurrency/index.js';
import { aiProxy } from './ai-proxy/index.js';

const builtins: PluginDef<never>[] = [
  keyAuth,
  jwtAuth,
  oauth2Introspection,
  mtlsAuth,
  requestTermination,
  responseHeaders,
  rateLimit,
  quota,
  concurrency,
  aiProxy,
] as PluginDef<never>[];

const registry = new Map<string, PluginDef<never>>(builtins.map((p) => [p.name, p]));

export function getPlugin(name: string): PluginDef<never> | undefined {
  return registry.get(name);
}

export function listPlugins(): PluginDef<never>[] {
  return [...registry.values()];
}

/**
 * Checks a plugin config against its plugin's schema. `config` is completed with defaults in place.
 * Paths are relative to the plugin resource (`/config/...`).
 */
export function validatePluginConfig(name: string, config: Record<string, unknown>): ErrorDetail[] {
  const def = registry.get(name);
  if (def === undefined) return [{ path: '/name', message: `unknown plugin "${name}"` }];
  return validate(def.configSchema, config, '/config');
}
