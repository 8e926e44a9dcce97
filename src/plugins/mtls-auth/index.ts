/**
 * `mtls-auth`: identifies the caller by the client certificate of its TLS connection (docs/mtls.md).
 *
 * No certificate (or plain HTTP) → `credentialMissing` (another auth plugin may still identify the
 * caller; otherwise 401 with `WWW-Authenticate`, or the anonymous consumer). A certificate that does not
 * chain to this config's CAs, is expired or not yet valid, revoked, not meant for client auth, or maps to
 * no enabled app → 401 KW_ERR_AUTH_INVALID, the same answer for all; the reason goes to
 * `keyway:auth:rejected` (debug log) only.
 *
 * The verdict is computed once per TLS connection and config (a WeakMap keyed by the socket), so
 * keep-alive requests pay one map lookup.
 */
import { channel } from 'node:diagnostics_channel';
import { publishReject, type RejectReason } from '../../keys/auth-events.js';
import type { TLSSocket } from 'node:tls';
import { KeywayError } from '../../core/errors.js';
import { CertificateMapper } from '../../keys/certificates/mapping.js';
import type { Identity } from '../../pipeline/identity.js';
import type { ConsumerEntry, Identities } from '../../pipeline/identity.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { isTlsSocket, peerCertificates } from './peer.js';
import { mtlsAuthSchema, type MtlsAuthConfig } from './schema.js';
import { TrustVerifiers } from './trust.js';

/**
 * One message per connection whose certificate was judged (not per request): `validated` is false
 * when the verdict came from the verifier's memory of this certificate rather than a path validation.
 */
export const mtlsVerdicts = channel('keyway:mtls:verdict');

export interface MtlsVerdictEvent {
  fingerprint: string;
  ok: boolean;
  validated: boolean;
}

type Verdict =
  | { kind: 'none' }
  | { kind: 'refused'; reason: RejectReason }
  | { kind: 'ok'; identity: Identity; thumbprint: string; validUntil: number };

/** Byte budget of the `credentialId`: enough of the fingerprint to tell certificates apart in logs. */
const CREDENTIAL_ID_HEX = 16;

export const mtlsAuth = definePlugin<MtlsAuthConfig>({
  name: 'mtls-auth',
  description: 'Identifies callers by a TLS client certificate verified against configured CAs and CRLs.',
  // After key-auth/jwt/introspection: no request-level parsing, but the first request of a connection
  // validates a chain, which costs more than a header lookup.
  priority: 850,
  configSchema: mtlsAuthSchema,
  create(config, env) {
    // The node's verifiers, kept across reloads; without a node (a config check), this instance's own.
    const verifier = (env.services.certificateTrust ?? new TrustVerifiers()).verifierFor(config);
    const mapper = new CertificateMapper(env.identities, config.consumer_by);
    // RFC 9110 §11.6.1: a refused certificate is a 401 too, so it carries the challenge, with an error
    // that says the certificate (not its absence) was the problem, never which check failed.
    const challenge = `mTLS realm="${config.realm}"`;
    const refused = Object.freeze({ 'www-authenticate': `${challenge}, error="invalid_certificate"` });
    const anonymous = consumerOf(env.identities, config.anonymous, 'anonymous');
    const fixed = config.skip_consumer_lookup
      ? (consumerOf(env.identities, config.consumer, 'consumer') ?? anonymous)
      : undefined;
    if (config.skip_consumer_lookup && fixed === undefined)
      throw new Error('skip_consumer_lookup needs `consumer` or `anonymous` to name who the caller is');
    const anonymousIdentity = env.identities.anonymous(config.anonymous);
    const verdicts = new WeakMap<TLSSocket, Verdict>();

    const judge = (socket: TLSSocket): Verdict => {
      const peer = peerCertificates(socket);
      if (peer.kind === 'none') return { kind: 'none' };
      if (peer.kind === 'malformed') return { kind: 'refused', reason: 'malformed' };
      const { leaf } = peer;
      const before = verifier.verifications;
      const chain = verifier.verify(leaf, peer.presented);
      if (mtlsVerdicts.hasSubscribers) {
        const event: MtlsVerdictEvent = {
          fingerprint: leaf.fingerprint,
          ok: chain.ok,
          validated: verifier.verifications !== before,
        };
        mtlsVerdicts.publish(event);
      }
      if (!chain.ok) return { kind: 'refused', reason: chain.reason };
      const extra: Partial<Identity> = {
        credentialId: `cert:${leaf.fingerprint.slice(0, CREDENTIAL_ID_HEX)}`,
        attributes: {
          certificate: {
            subject: leaf.subject,
            issuer: leaf.issuer,
            serial: leaf.serial,
            fingerprint: leaf.fingerprint,
            sans: [...leaf.sans],
          },
        },
      };
      let identity: Identity;
      if (fixed !== undefined) {
        if (!fixed.enabled) return { kind: 'refused', reason: 'disabled' };
        identity = env.identities.consumerIdentity(fixed, extra);
      } else {
        const match = mapper.resolve(leaf);
        if (match === undefined) return { kind: 'refused', reason: 'unmapped' };
        if (!match.app.enabled) return { kind: 'refused', reason: 'disabled' };
        identity = env.identities.appIdentity(match.app, extra);
      }
      return { kind: 'ok', identity, thumbprint: leaf.thumbprint, validUntil: chain.validUntil };
    };

    return {
      identify(ctx) {
        const socket = ctx.req.socket;
        if (!isTlsSocket(socket)) {
          ctx.credentialMissing(challenge, anonymousIdentity);
          return;
        }
        let verdict = verdicts.get(socket);
        // A long-lived connection outlives its certificate or CRL: judge again past `validUntil`.
        if (verdict === undefined || (verdict.kind === 'ok' && verdict.validUntil <= Date.now())) {
          verdict = judge(socket);
          verdicts.set(socket, verdict);
        }
        switch (verdict.kind) {
          case 'none':
            ctx.credentialMissing(challenge, anonymousIdentity);
            return;
          case 'refused':
            publishReject({ plugin: 'mtls-auth', requestId: ctx.requestId, reason: verdict.reason });
            throw new KeywayError('KW_ERR_AUTH_INVALID', {}, { headers: refused });
          case 'ok':
            // A copy: later phases may narrow scopes or add attributes for this request only.
            ctx.identity = { ...verdict.identity };
            ctx.state.set('tls.client_cert_sha256', verdict.thumbprint);
            return;
        }
      },
    };
  },
});

/** A consumer named by username (or id) in the config; throws when it does not exist. */
function consumerOf(
  identities: Identities,
  name: string | undefined,
  field: string,
): ConsumerEntry | undefined {
  if (name === undefined) return undefined;
  const entry = identities.consumerByUsername.get(name) ?? identities.consumerById.get(name);
  if (entry === undefined) throw new Error(`${field}: consumer "${name}" not found`);
  return entry;
}
