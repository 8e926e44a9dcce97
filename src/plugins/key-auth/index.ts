/**
 * `key-auth`: identifies the caller by an API key (docs/keys.md).
 *
 * No key on the request → `credentialMissing` (another auth plugin of the route may still identify the
 * caller; otherwise 401 KW_ERR_AUTH_MISSING with `WWW-Authenticate`, or the anonymous consumer). A key that
 * is malformed, unknown, expired, revoked, past its rotation grace, or whose app or consumer is disabled →
 * 401 KW_ERR_AUTH_INVALID, one answer for all so a caller learns nothing about which. Missing scopes → 403.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { KeywayError } from '../../core/errors.js';
import { authRejected, publishReject, type RejectReason } from '../../keys/auth-events.js';
import { keyIpRefusal, keyIpRules, type KeyIpRules } from '../../keys/key-ip-rules.js';
import { refuseAccess } from '../../pipeline/decisions.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { AppEntry, Identity } from '../../pipeline/identity.js';
import type { ApiKeyAnswer, ApiKeyFacts } from '../../pipeline/services.js';
import { MissBudget } from '../../limits/miss-budget.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { findKey, hideKey, type KeySources } from './key-sources.js';
import { keyIdentity } from './key-identity.js';

/**
 * Read on AI routes besides `key_names`: @anthropic-ai/sdk 0.x sends its `apiKey` as `x-api-key` (1.x as
 * a bearer, which `bearer: kw` takes), and so do Anthropic's curl examples. The OpenAI SDK sends a bearer.
 */
const AI_KEY_NAMES = ['x-api-key'] as const;

const headerName = { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", maxLength: 128 } as const;
const paramName = { type: 'string', minLength: 1, maxLength: 128 } as const;
const scope = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$',
} as const;

/**
 * RFC 9110 §11.6.1: every 401 names a scheme the client can answer. API keys have no registered scheme;
 * `Key` is the one Kong's key-auth uses, with the header to send the key in. A key that was presented
 * and refused adds `error="invalid_key"`; one presented as a bearer token is answered in the Bearer
 * scheme, `error="invalid_token"` (RFC 6750 §3.1). One challenge for every kind of refusal: the client
 * learns nothing about which check failed.
 */
const BEARER_INVALID = Object.freeze({ 'www-authenticate': 'Bearer realm="keyway", error="invalid_token"' });

function keyChallenge(headers: readonly string[]): string {
  return headers[0] === undefined ? 'Key realm="keyway"' : `Key realm="keyway", header="${headers[0]}"`;
}

const configSchema = {
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
    ai_key_names: {
      type: 'array',
      items: headerName,
      maxItems: 16,
      default: [...AI_KEY_NAMES],
      description:
        'More headers read on AI routes (an ai:// service), after key_names: Anthropic clients send ' +
        'their key as `x-api-key`. [] reads none.',
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
    unknown_keys_per_ip: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'Refused keys one client IP may present per second (plus burst); past that its refused keys get ' +
        '429 with Retry-After instead of 401 until the budget refills. A valid key is always served.',
      properties: {
        per_second: { type: 'integer', minimum: 1, maximum: 100_000, default: 10 },
        burst: { type: 'integer', minimum: 0, maximum: 100_000, default: 50 },
      },
    },
  },
} as const;

type Validated = FromSchema<typeof configSchema>;

/** What a key record resolves to for one plugin instance: kept per record (see `known`). */
interface KnownKey {
  identity: Identity;
  /** The key holds every scope the route requires. */
  allowed: boolean;
  /** The key's own `ip_allow` / `ip_deny`, compiled; undefined for a key without. */
  ip: KeyIpRules | undefined;
}

/**
 * The config as `create` sees it (ajv has filled in the defaults). `ai_key_names` and
 * `unknown_keys_per_ip` stay optional for configs compiled without validation.
 */
export type KeyAuthConfig = Omit<Validated, 'ai_key_names' | 'unknown_keys_per_ip'> &
  Partial<Pick<Validated, 'ai_key_names' | 'unknown_keys_per_ip'>>;

export const keyAuth = definePlugin<KeyAuthConfig>({
  name: 'key-auth',
  description: 'Identifies callers by API key (header, Authorization: Bearer, query parameter or cookie).',
  // Auth runs first in the identify phase: cheap checks before anything costly.
  priority: 1000,
  configSchema,
  create(config, env) {
    const sources: KeySources = {
      headers: config.key_names.map((h) => h.toLowerCase()),
      aiHeaders: (config.ai_key_names ?? AI_KEY_NAMES).map((h) => h.toLowerCase()),
      bearer: config.bearer,
      query: config.query_names,
      cookies: config.cookie_names,
    };
    const anonymous = env.identities.anonymous(config.anonymous);
    const challenge = keyChallenge(sources.headers);
    const keyInvalid = Object.freeze({ 'www-authenticate': `${challenge}, error="invalid_key"` });
    const required = config.required_scopes;
    const resolver = env.services.apiKeys;
    // The node's clock (PluginServices.now) for key expiry and the unknown-key budget.
    const clock = env.services.now ?? Date.now;
    const misses = new MissBudget({
      perSecond: config.unknown_keys_per_ip?.per_second ?? 10,
      burst: config.unknown_keys_per_ip?.burst ?? 50,
    });

    // One identity per key record for the life of this plugin instance (one snapshot): the cached path
    // then allocates nothing for the caller's identity. Records are replaced, never mutated, when a key
    // changes, and a new snapshot means a new instance, so a stale identity cannot outlive its data.
    // Frozen: shared across requests, so no later phase may edit it.
    const known = new WeakMap<ApiKeyFacts, KnownKey>();
    const identify = (record: ApiKeyFacts, app: AppEntry): KnownKey => {
      const identity = keyIdentity(record, app, env.identities);
      identity.shared = true;
      const have = new Set(identity.scopes ?? []);
      const entry: KnownKey = {
        identity: Object.freeze(identity),
        allowed: required.every((s) => have.has(s)),
        ip: keyIpRules(record.metadata),
      };
      known.set(record, entry);
      return entry;
    };

    // Every refusal is the same 401; the reason, and the id of a key the store knows, go to the call
    // record (`keyway:auth:rejected`), built only when someone listens. An IP over its bad-key budget gets
    // 429 instead, until the budget refills: refused keys only, so a valid key is never held back by the
    // IP it comes from (a NAT, a load balancer not in trusted_proxies, a scanner next door). The store
    // needs no such guard any more: an unknown key is refused by the resolver's filter, in memory.
    const refuse = (
      ctx: RequestContext,
      reason: RejectReason,
      stored: ApiKeyFacts | undefined,
      now: number,
      bearer: boolean,
    ): never => {
      const wait = misses.waitMs(ctx.clientIp, now);
      if (wait === 0) misses.charge(ctx.clientIp, now);
      if (authRejected.hasSubscribers) {
        // Another workspace's key is merely unknown here: its id must not reach this workspace's records.
        const mine = stored !== undefined && stored.workspace === env.workspace;
        publishReject({
          plugin: 'key-auth',
          requestId: ctx.requestId,
          reason: mine || reason === 'malformed' ? reason : 'unknown',
          ...(mine ? { credentialId: stored.id } : {}),
        });
      }
      if (wait > 0) {
        const retryAfter = String(Math.max(1, Math.ceil(wait / 1000)));
        throw new KeywayError('KW_ERR_RATE_LIMITED', {}, { headers: { 'retry-after': retryAfter } });
      }
      throw new KeywayError('KW_ERR_AUTH_INVALID', {}, { headers: bearer ? BEARER_INVALID : keyInvalid });
    };

    const accept = (ctx: RequestContext, answer: ApiKeyAnswer, now: number, bearer: boolean): void => {
      const record = answer.record;
      if (record === undefined) return refuse(ctx, answer.refusal ?? 'unknown', answer.refused, now, bearer);
      if (record.workspace !== env.workspace) return refuse(ctx, 'unknown', undefined, now, bearer);
      const app = env.identities.appById.get(record.app_id);
      if (app === undefined) return refuse(ctx, 'unknown', record, now, bearer);
      if (!app.enabled) return refuse(ctx, 'disabled', record, now, bearer);
      const { identity, allowed, ip } = known.get(record) ?? identify(record, app);
      // The key's own address rules hold on every route it is used on (src/keys/key-ip-rules.ts).
      const offIp = ip === undefined ? undefined : keyIpRefusal(ip, ctx.clientIp);
      if (offIp !== undefined) {
        ctx.identity = identity;
        refuseAccess(ctx, 'ip:key', offIp, 'enforce', 'KW_ERR_IP_DENIED');
      }
      if (!allowed) {
        publishReject({
          plugin: 'key-auth',
          requestId: ctx.requestId,
          reason: 'scope',
          credentialId: record.id,
        });
        const missing = required.filter((r) => !identity.scopes?.includes(r));
        refuseAccess(
          ctx,
          'scope',
          `the key lacks scope ${missing.join(', ')}`,
          'enforce',
          'KW_ERR_FORBIDDEN',
        );
      }
      ctx.identity = identity;
    };

    return {
      requiredScopes: required,
      identify(ctx) {
        const found = findKey(ctx, sources);
        if (found === undefined) {
          ctx.credentialMissing(challenge, anonymous);
          return undefined;
        }
        if (config.hide_credentials) hideKey(ctx, found);
        if (resolver === undefined) throw new KeywayError('KW_ERR_AUTH_UNAVAILABLE');
        const now = clock();
        const bearer = found.where.kind === 'bearer';
        // Known (cached) and refused-on-sight keys are answered synchronously: no promise per request.
        const quick = resolver.resolveCached(found.key, ctx.req.socket);
        if (quick.done) {
          accept(ctx, quick, now, bearer);
          return undefined;
        }
        return resolver.resolveHash(quick.hash).then(
          (answer) => accept(ctx, answer, now, bearer),
          (err: unknown) => {
            // Only the store being out of reach rejects: the key may well be valid, so not a 401.
            throw new KeywayError('KW_ERR_AUTH_UNAVAILABLE', {}, { cause: err });
          },
        );
      },
      close: () => misses.close(),
    };
  },
});
