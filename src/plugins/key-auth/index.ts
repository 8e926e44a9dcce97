/**
 * `key-auth`: identifies the caller by an API key (docs/keys.md).
 *
 * No key on the request → `credentialMissing` (another auth plugin of the route may still identify the
 * caller; otherwise 401 KW_ERR_AUTH_MISSING with `WWW-Authenticate`, or the anonymous consumer). A key that
 * is malformed, unknown, expired, revoked, past its rotation grace, or whose app or consumer is disabled →
 * 401 KW_ERR_AUTH_INVALID, one answer for all so a caller learns nothing about which. Missing scopes → 403.
 */
import { KeywayError } from '../../core/errors.js';
import { definePlugin } from '../types.js';
import { findKey, hideKey, type BearerMode, type KeySources } from './key-sources.js';

export interface KeyAuthConfig {
  key_names: string[];
  bearer: BearerMode;
  query_names: string[];
  cookie_names: string[];
  hide_credentials: boolean;
  anonymous?: string;
  required_scopes: string[];
}

const headerName = { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", maxLength: 128 } as const;
const paramName = { type: 'string', minLength: 1, maxLength: 128 } as const;
const scope = { type: 'string', minLength: 1, maxLength: 256, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' };

export const CHALLENGE = 'Key realm="keyway"';

export const keyAuth = definePlugin<KeyAuthConfig>({
  name: 'key-auth',
  description: 'Identifies callers by API key (header, Authorization: Bearer, query parameter or cookie).',
  // Auth runs first in the identify phase: cheap checks before anything costly.
  priority: 1000,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      key_names: {
        type: 'array',
        items: headerName,
        maxItems: 16,
        default: ['apikey'],
        description: 'Request headers that may carry the key, in the order they are tried.',
      },
      bearer: {
        enum: ['kw', 'any', 'off'],
        default: 'kw',
        description:
          '`Authorization: Bearer`: `kw` takes Keyway-format keys only (other tokens are left to other ' +
          'auth plugins), `any` takes any token (imported keys), `off` ignores the header.',
      },
      query_names: { type: 'array', items: paramName, maxItems: 16, default: [] },
      cookie_names: { type: 'array', items: paramName, maxItems: 16, default: [] },
      hide_credentials: { type: 'boolean', default: false },
      anonymous: { type: 'string', minLength: 1, maxLength: 128, description: 'Consumer username.' },
      required_scopes: { type: 'array', items: scope, maxItems: 64, uniqueItems: true, default: [] },
    },
  },
  create(config, env) {
    const sources: KeySources = {
      headers: config.key_names.map((h) => h.toLowerCase()),
      bearer: config.bearer,
      query: config.query_names,
      cookies: config.cookie_names,
    };
    const anonymous = env.identities.anonymous(config.anonymous);
    const required = config.required_scopes;
    const resolver = env.services.apiKeys;

    return {
      async identify(ctx) {
        const found = findKey(ctx, sources);
        if (found === undefined) {
          ctx.credentialMissing(CHALLENGE, anonymous);
          return;
        }
        if (config.hide_credentials) hideKey(ctx, found);
        if (resolver === undefined) throw new KeywayError('KW_ERR_AUTH_UNAVAILABLE');
        let record;
        try {
          record = await resolver.resolve(found.key);
        } catch (err) {
          throw new KeywayError('KW_ERR_AUTH_UNAVAILABLE', {}, { cause: err });
        }
        const app = record === undefined ? undefined : env.identities.appById.get(record.app_id);
        if (record === undefined || app === undefined || !app.enabled || record.workspace !== env.workspace) {
          throw new KeywayError('KW_ERR_AUTH_INVALID');
        }
        const attributes: Record<string, unknown> = { key_env: record.env };
        if (record.tier !== undefined) attributes['tier'] = record.tier;
        if (record.metadata !== undefined) attributes['metadata'] = record.metadata;
        const scopes = record.scopes ?? (app.scopes === undefined ? undefined : [...app.scopes]);
        const identity = env.identities.appIdentity(app, {
          credentialId: record.id,
          ...(scopes === undefined ? {} : { scopes }),
          attributes,
        });
        if (required.length > 0) {
          const have = new Set(identity.scopes ?? []);
          if (!required.every((s) => have.has(s))) throw new KeywayError('KW_ERR_FORBIDDEN');
        }
        ctx.identity = identity;
      },
    };
  },
});
