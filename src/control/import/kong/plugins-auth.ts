/**
 * Kong's key-auth, jwt and acl plugins → Keyway's key-auth, jwt-auth, acl (and access-rules for an
 * ACL deny list). docs/import-kong.md has the table.
 */
import type { PluginOut } from './context.js';
import { keywayRole } from './names.js';
import type { PluginConfig } from './plugin-config.js';
import { ALGORITHMS } from '../../../keys/jwt/algorithms.js';

/** Kong key-auth: keys in the `key_names` headers and, by default, query parameters of the same names. */
export function keyAuth(c: PluginConfig): PluginOut[] {
  const names =
    c.raw('key_names') === undefined || c.raw('key_names') === null ? ['apikey'] : c.strings('key_names');
  const inHeader = c.boolean('key_in_header') ?? true;
  const inQuery = c.boolean('key_in_query') ?? true;
  const config: Record<string, unknown> = { key_names: inHeader ? names : [] };
  if (inQuery) config['query_names'] = names;
  if (c.boolean('hide_credentials') === true) config['hide_credentials'] = true;
  anonymous(c, config);
  c.unsupported(
    'key_in_body',
    false,
    'Keyway reads keys from headers, query parameters and cookies, not the body',
  );
  c.unsupported('run_on_preflight', true, 'Keyway has no CORS handling: preflight requests need a key too');
  c.unsupported('realm', null, 'Keyway’s challenge is `Key realm="keyway"`');
  return [{ name: 'key-auth', config }];
}

/** Kong's `anonymous` names a consumer by id or username; Keyway's by username. */
function anonymous(c: PluginConfig, config: Record<string, unknown>): void {
  const ref = c.string('anonymous');
  if (ref === undefined || ref === '') return;
  const consumer = c.cx.consumerRef.get(ref);
  if (consumer === undefined)
    c.changed(
      'anonymous',
      'names no consumer of the file: left out, so requests without credentials get 401',
    );
  else config['anonymous'] = consumer.username;
}

const KEYWAY_JWT_ALGORITHMS: ReadonlySet<string> = new Set(ALGORITHMS);
const MAX_ISSUERS = 32;

/**
 * Kong jwt: a token names its credential by `iss` (key_claim_name) and is checked with that consumer's
 * secret or public key. Keyway's jwt-auth does the same with one issuer per credential, and finds the
 * consumer through its app's `client_ids` (identity `iss` → `client_id`).
 */
export function jwt(c: PluginConfig): PluginOut[] {
  const { cx } = c;
  const audiences = cx.options.jwtAudiences ?? [];
  if (audiences.length === 0) {
    c.dropped(
      'Keyway checks a token’s aud against audiences, which Kong’s jwt plugin does not have: import again with --jwt-audience AUD (the aud your tokens carry)',
    );
    return [];
  }
  const claimName = c.string('key_claim_name') ?? 'iss';
  if (claimName !== 'iss') {
    c.dropped(`Keyway picks a token’s keys by its iss claim, not ${claimName}`);
    return [];
  }
  const base64 = c.boolean('secret_is_base64') === true;
  const issuers: Record<string, unknown>[] = [];
  const algorithms = new Set<string>();
  for (const cred of cx.jwtCredentials) {
    const what = 'jwt credential';
    if (!KEYWAY_JWT_ALGORITHMS.has(cred.algorithm)) {
      cx.report.dropped(
        cred.path,
        what,
        `Keyway does not verify ${cred.algorithm} (not in the jwt plugin at ${c.plugin.path.join('.')})`,
      );
      continue;
    }
    let key: Record<string, unknown>;
    if (cred.algorithm.startsWith('HS')) {
      if (cred.secret === undefined) {
        cx.report.dropped(cred.path, what, `${cred.algorithm} needs a secret`);
        continue;
      }
      const secret = base64 ? Buffer.from(cred.secret, 'base64').toString('base64url') : cred.secret;
      const bytes = base64 ? Buffer.from(cred.secret, 'base64').length : Buffer.byteLength(cred.secret);
      if (bytes < 32) {
        cx.report.dropped(
          cred.path,
          what,
          'Keyway requires HMAC secrets of at least 32 bytes (RFC 7518 §3.2): give the consumer a longer secret',
        );
        continue;
      }
      // A secret field of jwt-auth: `keyway apply` seals it (AES-256-GCM) before storing it.
      key = base64 ? { secret, secret_encoding: 'base64url' } : { secret };
    } else {
      if (cred.rsaPublicKey === undefined) {
        cx.report.dropped(cred.path, what, `${cred.algorithm} needs rsa_public_key (a PEM public key)`);
        continue;
      }
      key = { pem: cred.rsaPublicKey };
    }
    if (issuers.length === MAX_ISSUERS) {
      cx.report.dropped(cred.path, what, `Keyway's jwt-auth takes at most ${MAX_ISSUERS} issuers per plugin`);
      continue;
    }
    issuers.push({ issuer: cred.key, keys: [key] });
    algorithms.add(cred.algorithm);
  }
  if (issuers.length === 0) {
    c.dropped(
      'no consumer of the file has a jwt credential Keyway can use, and jwt-auth needs at least one issuer',
    );
    return [];
  }
  const config: Record<string, unknown> = {
    issuers,
    audiences,
    algorithms: [...algorithms].sort(),
    identity: [{ claim: 'iss', lookup: 'client_id' }],
    header_names:
      c.raw('header_names') == null
        ? ['authorization']
        : c.strings('header_names').map((h) => h.toLowerCase()),
    query_param_names: c.raw('uri_param_names') == null ? ['jwt'] : c.strings('uri_param_names'),
    cookie_names: c.strings('cookie_names'),
    // Kong checks exp and nbf only when listed; Keyway checks them whenever present.
    required_claims: c.strings('claims_to_verify'),
  };
  anonymous(c, config);
  if ((c.number('maximum_expiration') ?? 0) > 0)
    c.changed(
      'maximum_expiration',
      'not carried: Keyway does not cap how far ahead exp may be (max_token_age_s caps the age of iat)',
    );
  c.unsupported('run_on_preflight', true, 'Keyway has no CORS handling: preflight requests need a token too');
  return [{ name: 'jwt-auth', config }];
}

/** Kong acl: `allow` → Keyway `acl` roles; `deny` → an `access-rules` deny rule on the consumer's groups. */
export function acl(c: PluginConfig): PluginOut[] {
  const allow = [...new Set(c.strings('allow').map(keywayRole))];
  const deny = [...new Set(c.strings('deny').map(keywayRole))];
  const out: PluginOut[] = [];
  if (allow.length > 0) out.push({ name: 'acl', config: { roles: allow } });
  if (deny.length > 0) {
    const list = deny.map((g) => JSON.stringify(g)).join(', ');
    out.push({
      name: 'access-rules',
      config: {
        rules: [
          {
            name: 'kong-acl-deny',
            effect: 'deny',
            // A caller without a consumer has no groups to check: the rule cannot be evaluated and,
            // being a deny rule, refuses (fail closed, as Kong's acl refuses an unidentified caller).
            when: `consumer.groups.exists(g, g in [${list}])`,
          },
        ],
      },
    });
  }
  if (out.length === 0) c.dropped('neither allow nor deny lists a group');
  c.unsupported('hide_groups_header', false, 'Keyway does not send X-Consumer-Groups upstream');
  c.unsupported('include_consumer_groups', false, 'Keyway has no consumer groups');
  return out;
}
