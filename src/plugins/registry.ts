/**
 * The plugins this build of Keyway knows. Adding a plugin means adding its folder and one line here.
 * A plugin's secret-bearing config fields carry `x-keyway-secret` in its schema (src/core/secret-fields.ts):
 * the control layer seals them, and `openPluginSecrets` gives `create` the opened config.
 */
import type { ErrorDetail } from '../core/errors.js';
import {
  acceptingSecretRefs,
  secretPlaces,
  secretValue,
  setAt,
  type SecretPlace,
} from '../core/secret-fields.js';
import { validate } from '../core/validator.js';
import type { SecretBox } from '../keys/secret-box.js';
import type { PluginDef } from '../pipeline/plugin.js';
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
import { ipRestriction } from './ip-restriction/index.js';
import { acl } from './acl/index.js';
import { accessRules } from './access-rules/index.js';

const builtins: PluginDef<never>[] = [
  keyAuth,
  jwtAuth,
  oauth2Introspection,
  mtlsAuth,
  ipRestriction,
  acl,
  accessRules,
  requestTermination,
  responseHeaders,
  rateLimit,
  quota,
  concurrency,
  aiProxy,
] as PluginDef<never>[];

const registry = new Map<string, PluginDef<never>>(builtins.map((p) => [p.name, p]));
/** Each plugin's schema for input: secret places also take `{secret_env}`, `{secret_enc}`, `{sealed}`. */
const inputSchemas = new Map(builtins.map((p) => [p.name, acceptingSecretRefs(p.configSchema) as object]));

export function getPlugin(name: string): PluginDef<never> | undefined {
  return registry.get(name);
}

export function listPlugins(): PluginDef<never>[] {
  return [...registry.values()];
}

/**
 * Checks an opened plugin config (secrets in clear, as `create` gets it) against its plugin's schema.
 * `config` is completed with defaults in place. Paths are relative to the plugin resource (`/config/...`).
 */
export function validatePluginConfig(name: string, config: Record<string, unknown>): ErrorDetail[] {
  const def = registry.get(name);
  if (def === undefined) return [{ path: '/name', message: `unknown plugin "${name}"` }];
  return validate(def.configSchema, config, '/config');
}

/**
 * Checks a plugin config as an admin body or a declarative file gives it (and as the store holds it):
 * a secret may be a string or a reference object, and a required secret may be left out to keep it.
 */
export function validatePluginInput(name: string, config: Record<string, unknown>): ErrorDetail[] {
  const schema = inputSchemas.get(name);
  if (schema === undefined) return [{ path: '/name', message: `unknown plugin "${name}"` }];
  return validate(schema, config, '/config');
}

/** The secret places of a plugin config (none for an unknown plugin). */
export function pluginSecretPlaces(name: string, config: unknown): SecretPlace[] {
  const def = registry.get(name);
  return def === undefined ? [] : secretPlaces(def.configSchema, config);
}

/**
 * What a plugin's sealed secret is bound to (AES-GCM associated data): the plugin and the field, so a
 * sealed JWT signing key cannot be replayed as, say, an introspection client secret sent to another host.
 */
export function pluginSecretLabel(plugin: string, place: SecretPlace): string {
  return `plugins/${plugin}/${place.label}`;
}

/**
 * The stored config with every secret opened, for `create`: `secret_enc` opened with this node's box,
 * `secret_env` read from the environment; a string (a config compiled in a test, or a row an older
 * release wrote in clear) is used as it is. Problems name the field, never a value.
 */
export function openPluginSecrets(
  name: string,
  stored: Record<string, unknown>,
  source: { box?: SecretBox | undefined },
): { config: Record<string, unknown>; details: ErrorDetail[] } {
  const config = structuredClone(stored);
  const details: ErrorDetail[] = [];
  for (const place of pluginSecretPlaces(name, config)) {
    if (place.value === undefined) continue;
    const v = secretValue(place.value);
    const path = `/config${place.pointer}`;
    if (v.kind === 'clear') continue;
    if (v.kind === 'enc') {
      const opened = source.box?.open(v.enc, pluginSecretLabel(name, place));
      if (opened === undefined)
        details.push({
          path,
          message:
            source.box === undefined
              ? 'is sealed, and this node has no secret box to open it'
              : 'cannot be opened with this node’s secret (KEYWAY_SECRET differs from the one that sealed it?)',
        });
      else setAt(place, opened);
    } else if (v.kind === 'env') {
      // The node's environment, held by its box (keys/secret-box.ts).
      const value = source.box?.variable(v.name);
      if (value === undefined) details.push({ path, message: `environment variable ${v.name} is not set` });
      else setAt(place, value);
    } else {
      details.push({ path, message: 'is not a stored secret (a string, secret_enc or secret_env)' });
    }
  }
  return { config, details };
}
