/**
 * Client-certificate path validation against one configured CA bundle (RFC 5280 §6.1), with
 * revocation by CRL (§6.3). Never consults the system trust store: a route trusts exactly the CAs its
 * plugin config names.
 *
 * Built once per plugin config; `verify` is synchronous (native signature checks) and remembers
 * successful verdicts by leaf fingerprint, so a resumed TLS session — where the client sends no
 * intermediates (OpenSSL keeps only the leaf in the session) — and new connections from the same
 * certificate are answered from memory until the verdict's `validUntil`.
 */
import { KEY_USAGE, OID, isSelfIssued, issuedBy, type ParsedCertificate } from './certificate.js';
import { crlSignedBy, type ParsedCrl } from './crl.js';

export interface ChainOptions {
  /** Accept a path that ends at any certificate of the bundle, not only a self-signed root. */
  allowPartialChain: boolean;
  /** CA certificates allowed above the client certificate, trust anchor included. */
  maxChainDepth: number;
  /** Use a CRL past its nextUpdate instead of refusing (fail open on stale revocation data). */
  allowExpiredCrl: boolean;
  /** Refuse certificates whose issuer has no CRL configured. */
  requireCrl: boolean;
}

/** Why a certificate was refused: a fixed word for logs and metrics, never client-controlled text. */
export type RefusalReason =
  | 'no-path'
  | 'not-yet-valid'
  | 'expired'
  | 'critical-extension'
  | 'not-ca'
  | 'path-length'
  | 'key-usage'
  | 'extended-key-usage'
  | 'revoked'
  | 'crl-missing'
  | 'crl-not-yet-valid'
  | 'crl-expired';

export type ChainVerdict =
  | { ok: true; chain: readonly ParsedCertificate[]; validUntil: number }
  | { ok: false; reason: RefusalReason; detail: string };

const refuse = (reason: RefusalReason, detail: string): ChainVerdict => ({ ok: false, reason, detail });

const VERDICT_CACHE_SIZE = 10_000;

export class ChainVerifier {
  /** Bundle certificates by canonical subject, the issuer lookup of path building. */
  private readonly bySubject = new Map<string, ParsedCertificate[]>();
  private readonly bundle: ReadonlySet<ParsedCertificate>;
  /** CRLs by the fingerprint of the bundle certificate that signed them. */
  private readonly crls = new Map<string, ParsedCrl[]>();
  private readonly verdicts = new Map<string, ChainVerdict & { ok: true }>();
  /** Full path validations run (tests count them to prove the caches work). */
  verifications = 0;

  constructor(
    bundle: readonly ParsedCertificate[],
    crls: readonly ParsedCrl[],
    private readonly opts: ChainOptions,
  ) {
    bundle.forEach((c, i) => {
      // Only CA certificates may be trust anchors or intermediates (RFC 5280 §4.2.1.9).
      if (c.basicConstraints?.ca !== true)
        throw new Error(`ca_certificates #${i + 1} (${c.subject}) is not a CA certificate`);
      const list = this.bySubject.get(c.subjectKey) ?? [];
      list.push(c);
      this.bySubject.set(c.subjectKey, list);
    });
    this.bundle = new Set(bundle);
    crls.forEach((crl, i) => {
      const signer = bundle.find((c) => crlSignedBy(crl, c));
      if (signer === undefined)
        throw new Error(`crls #${i + 1} (issuer ${crl.issuer}) is not signed by a CA in ca_certificates`);
      const list = this.crls.get(signer.fingerprint) ?? [];
      list.push(crl);
      this.crls.set(signer.fingerprint, list);
    });
  }

  /** `presented` are the extra certificates the client sent (its intermediates), in any order. */
  verify(leaf: ParsedCertificate, presented: readonly ParsedCertificate[], now = Date.now()): ChainVerdict {
    const cached = this.verdicts.get(leaf.fingerprint);
    if (cached !== undefined && cached.validUntil > now) return cached;
    this.verifications++;
    const verdict = this.validate(leaf, presented, now);
    if (verdict.ok) {
      if (this.verdicts.size >= VERDICT_CACHE_SIZE) {
        const oldest = this.verdicts.keys().next().value;
        if (oldest !== undefined) this.verdicts.delete(oldest);
      }
      this.verdicts.set(leaf.fingerprint, verdict);
    }
    return verdict;
  }

  private validate(
    leaf: ParsedCertificate,
    presented: readonly ParsedCertificate[],
    now: number,
  ): ChainVerdict {
    const path = this.buildPath(leaf, presented);
    if (path === undefined) return refuse('no-path', 'no path to a configured CA');
    let validUntil = Infinity;
    for (let i = 0; i < path.length; i++) {
      const cert = path[i];
      const what = i === 0 ? 'client certificate' : `CA ${cert.subject}`;
      // §6.1.3 (a)(2): the validity period covers the current time.
      if (cert.notBefore.getTime() > now) return refuse('not-yet-valid', what);
      if (cert.notAfter.getTime() < now) return refuse('expired', what);
      validUntil = Math.min(validUntil, cert.notAfter.getTime());
      // §6.1.4 (o), §6.1.5 (f): a critical extension we do not process refuses the path.
      if (cert.unknownCritical.length > 0)
        return refuse('critical-extension', `${what}: ${cert.unknownCritical.join(',')}`);
      if (i > 0) {
        const problem = caProblem(cert, path, i);
        if (problem !== undefined) return refuse(problem, what);
      }
      const issuer = path[i + 1];
      if (issuer !== undefined) {
        const revocation = this.revocation(cert, issuer, now);
        if (typeof revocation === 'string') return refuse(revocation, what);
        validUntil = Math.min(validUntil, revocation);
      }
    }
    const leafProblem = clientUsageProblem(leaf);
    if (leafProblem !== undefined) return refuse(leafProblem, 'client certificate');
    return { ok: true, chain: path, validUntil };
  }

  /**
   * Depth-first search for leaf → … → anchor, preferring bundle certificates over presented ones.
   * An anchor is a self-issued bundle certificate, or any bundle certificate with allowPartialChain.
   */
  private buildPath(
    leaf: ParsedCertificate,
    presented: readonly ParsedCertificate[],
  ): ParsedCertificate[] | undefined {
    const extra = new Map<string, ParsedCertificate[]>();
    for (const c of presented) {
      if (c.basicConstraints?.ca !== true) continue;
      const list = extra.get(c.subjectKey) ?? [];
      list.push(c);
      extra.set(c.subjectKey, list);
    }
    const path: ParsedCertificate[] = [leaf];
    const seen = new Set<string>([leaf.fingerprint]);
    const walk = (cert: ParsedCertificate): boolean => {
      if (path.length - 1 >= this.opts.maxChainDepth) return false;
      const candidates = [
        ...(this.bySubject.get(cert.issuerKey) ?? []),
        ...(extra.get(cert.issuerKey) ?? []),
      ];
      for (const cand of candidates) {
        if (seen.has(cand.fingerprint) || !issuedBy(cert, cand)) continue;
        path.push(cand);
        seen.add(cand.fingerprint);
        if (this.bundle.has(cand) && (this.opts.allowPartialChain || isSelfIssued(cand))) return true;
        if (walk(cand)) return true;
        path.pop();
        seen.delete(cand.fingerprint);
      }
      return false;
    };
    return walk(leaf) ? path : undefined;
  }

  /** §6.3: the revocation status of `cert` by its issuer's CRLs; a refusal reason or until when it holds. */
  private revocation(
    cert: ParsedCertificate,
    issuer: ParsedCertificate,
    now: number,
  ): RefusalReason | number {
    const lists = this.crls.get(issuer.fingerprint);
    if (lists === undefined) return this.opts.requireCrl ? 'crl-missing' : Infinity;
    let until = Infinity;
    for (const crl of lists) {
      if (crl.revoked.has(cert.serial)) return 'revoked';
      if (crl.thisUpdate.getTime() > now) return 'crl-not-yet-valid';
      const next = crl.nextUpdate?.getTime();
      if (next !== undefined && !this.opts.allowExpiredCrl) {
        // Fail closed: past nextUpdate the CA may have revoked more (RFC 5280 §5.1.2.5).
        if (next < now) return 'crl-expired';
        until = Math.min(until, next);
      }
    }
    return until;
  }
}

/** §6.1.4 (k)(l)(m)(n): CA flag, path length and certificate-signing key usage of path[i]. */
function caProblem(
  cert: ParsedCertificate,
  path: readonly ParsedCertificate[],
  i: number,
): RefusalReason | undefined {
  if (cert.basicConstraints?.ca !== true) return 'not-ca';
  if (cert.keyUsage !== undefined && !cert.keyUsage.has(KEY_USAGE.keyCertSign)) return 'key-usage';
  const pathLen = cert.basicConstraints.pathLen;
  if (pathLen !== undefined) {
    // Non-self-issued intermediates between the leaf and this CA.
    const below = path.slice(1, i).filter((c) => !isSelfIssued(c)).length;
    if (below > pathLen) return 'path-length';
  }
  return undefined;
}

/**
 * A client certificate signs the TLS CertificateVerify, so keyUsage (when present) needs
 * digitalSignature (RFC 5280 §4.2.1.3); extendedKeyUsage (when present) must allow TLS client
 * authentication or any purpose (§4.2.1.12).
 */
function clientUsageProblem(leaf: ParsedCertificate): RefusalReason | undefined {
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.has(KEY_USAGE.digitalSignature)) return 'key-usage';
  const eku = leaf.extKeyUsage;
  if (eku !== undefined && !eku.includes(OID.clientAuth) && !eku.includes(OID.anyExtendedKeyUsage))
    return 'extended-key-usage';
  return undefined;
}
