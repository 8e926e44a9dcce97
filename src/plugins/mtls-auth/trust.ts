/**
 * The CA bundle + CRLs of one `mtls-auth` config, compiled into a `ChainVerifier`.
 *
 * Every admin change compiles a new snapshot and re-creates every plugin. Verifiers are shared by
 * content (a digest of the trust-relevant config) within a node (PluginServices.certificateTrust), so the
 * verdicts they remember survive unrelated changes: a client that resumes its TLS session after a swap
 * sends no intermediates, and its remembered verdict is what lets it through without a full handshake.
 */
import { createHash } from 'node:crypto';
import { parseCertificateBundle } from '../../keys/certificates/certificate.js';
import { ChainVerifier, type ChainOptions } from '../../keys/certificates/chain.js';
import {
  crlAlgorithmSupported,
  parseCrl,
  parseCrlText,
  type ParsedCrl,
} from '../../keys/certificates/crl.js';
import type { MtlsAuthConfig } from './schema.js';

declare module '../../pipeline/plugin.js' {
  interface PluginServices {
    /** The node's client-certificate verifiers and the verdicts they remember (server/node-caches.ts). Absent: per instance. */
    readonly certificateTrust?: TrustVerifiers;
  }
}

/** The part of the config that decides which certificates are trusted. */
export type TrustConfig = Pick<
  MtlsAuthConfig,
  'ca_certificates' | 'crls' | 'allow_partial_chain' | 'max_chain_depth' | 'allow_expired_crl' | 'require_crl'
>;

/** Distinct trust configs kept alive; a node rarely has more than a handful. */
const MAX_SHARED = 64;

export class TrustVerifiers {
  readonly #shared = new Map<string, ChainVerifier>();

  verifierFor(config: TrustConfig): ChainVerifier {
    return verifierFor(this.#shared, config);
  }
}

function verifierFor(shared: Map<string, ChainVerifier>, config: TrustConfig): ChainVerifier {
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        config.ca_certificates,
        config.crls,
        config.allow_partial_chain,
        config.max_chain_depth,
        config.allow_expired_crl,
        config.require_crl,
      ]),
    )
    .digest('hex');
  const known = shared.get(digest);
  if (known !== undefined) {
    // Refresh its place: the map's insertion order is the eviction order.
    shared.delete(digest);
    shared.set(digest, known);
    return known;
  }
  const verifier = buildVerifier(config);
  if (shared.size >= MAX_SHARED) {
    const oldest = shared.keys().next().value;
    if (oldest !== undefined) shared.delete(oldest);
  }
  shared.set(digest, verifier);
  return verifier;
}

/** Throws an Error naming the config field at fault (the snapshot compiler reports it as a problem). */
function buildVerifier(config: TrustConfig): ChainVerifier {
  const bundle = config.ca_certificates.flatMap((pem, i) =>
    parseCertificateBundle(pem, `ca_certificates[${i}]`),
  );
  const crls: ParsedCrl[] = [];
  config.crls.forEach((text, i) => {
    const ders = parseCrlText(text);
    if (ders.length === 0) throw new Error(`crls[${i}] holds no PEM "X509 CRL" block nor base64 DER`);
    for (const der of ders) {
      let crl: ParsedCrl;
      try {
        crl = parseCrl(der);
      } catch (err) {
        const why = err instanceof Error ? err.message : 'unreadable';
        throw new Error(`crls[${i}] does not parse: ${why}`, { cause: err });
      }
      if (!crlAlgorithmSupported(crl))
        throw new Error(`crls[${i}] uses an unsupported signature algorithm (${crl.signatureAlgorithm})`);
      crls.push(crl);
    }
  });
  const opts: ChainOptions = {
    allowPartialChain: config.allow_partial_chain,
    maxChainDepth: config.max_chain_depth,
    allowExpiredCrl: config.allow_expired_crl,
    requireCrl: config.require_crl,
  };
  return new ChainVerifier(bundle, crls, opts);
}
