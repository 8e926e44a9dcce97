/**
 * Certificate revocation lists (RFC 5280 §5): parsed and signature-checked once, when a plugin
 * config is compiled; on the request path a revocation check is one `Set.has` on the serial.
 *
 * Node has no CRL API, so the signature over `tbsCertList` is checked with `crypto.verify` and the
 * algorithm taken from the CRL's own AlgorithmIdentifier.
 */
import { verify as verifySignature } from 'node:crypto';
import {
  DerError,
  TAG,
  bitStringBytes,
  children,
  decodeOid,
  decodeTime,
  expect,
  integerHex,
  isTime,
  parseDer,
  pemBlocks,
  type Tlv,
} from './der.js';
import { KEY_USAGE, OID, type ParsedCertificate } from './certificate.js';
import { formatName, nameKey, readName } from './names.js';

export interface ParsedCrl {
  issuer: string;
  issuerKey: string;
  authorityKeyId: string | undefined;
  thisUpdate: Date;
  /** Absent in a CRL that never expires (RFC 5280 §5.1.2.5 says conforming CAs include it). */
  nextUpdate: Date | undefined;
  /** Serials (lowercase hex, no leading zeros) of revoked certificates. */
  revoked: ReadonlySet<string>;
  tbs: Buffer;
  signatureAlgorithm: string;
  signature: Buffer;
}

/** Signature algorithms CAs sign CRLs with; hash `null` means the algorithm hashes itself (EdDSA). */
const ALGORITHMS: Record<string, string | null> = {
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256 (signature is DER, as Node expects)
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519
  '1.3.101.113': null, // Ed448
};

/** CRL extensions that do not change which certificates the list covers. */
const RECOGNIZED_CRL_EXTENSIONS = new Set(['2.5.29.20', OID.authorityKeyId, '2.5.29.18']);

/** Reads CRLs from text: PEM blocks (`X509 CRL`), or one base64 DER. */
export function parseCrlText(text: string): Buffer[] {
  const pem = pemBlocks(text, 'X509 CRL');
  if (pem.length > 0) return pem;
  const compact = text.replace(/\s+/g, '');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return [Buffer.from(compact, 'base64')];
  return [];
}

export function parseCrl(der: Buffer): ParsedCrl {
  const [tbs, algId, sig] = children(expect(parseDer(der), TAG.SEQUENCE, 'a CRL'));
  const fields = children(expect(tbs, TAG.SEQUENCE, 'a TBSCertList'));
  let i = fields[0]?.tag === TAG.INTEGER ? 1 : 0; // optional version
  i++; // inner signature AlgorithmIdentifier
  const issuerRdns = readName(fields[i++]);
  const thisUpdate = decodeTime(fields[i++]);
  const nextUpdate = isTime(fields[i]) ? decodeTime(fields[i++]) : undefined;
  const revoked = new Set<string>();
  if (fields[i]?.tag === TAG.SEQUENCE) {
    for (const entry of children(fields[i++])) {
      const [serial, , entryExts] = children(expect(entry, TAG.SEQUENCE, 'a revoked entry'));
      // certificateIssuer (indirect CRLs) is critical and would move the entry to another CA: refuse
      // the list rather than misattribute it (RFC 5280 §5.3).
      if (entryExts !== undefined && criticalUnknown(entryExts, new Set(['2.5.29.21', '2.5.29.24'])))
        throw new DerError('an entry has a critical extension this gateway does not process');
      revoked.add(integerHex(serial));
    }
  }
  let authorityKeyId: string | undefined;
  const exts = fields[i]?.tag === 0xa0 ? children(fields[i])[0] : undefined;
  if (exts !== undefined) {
    // RFC 5280 §5.2: a CRL with a critical extension the application cannot process MUST NOT be used
    // (delta CRLs, issuing distribution points that scope the list).
    if (criticalUnknown(exts, RECOGNIZED_CRL_EXTENSIONS))
      throw new DerError('critical CRL extension not supported (delta CRL or distribution point)');
    for (const ext of children(exts)) {
      const parts = children(ext);
      if (decodeOid(parts[0]) !== OID.authorityKeyId) continue;
      const value = parseDer(expect(parts[parts.length - 1], TAG.OCTET_STRING, 'extnValue').value);
      authorityKeyId = children(value)
        .find((c) => c.tag === 0x80)
        ?.value.toString('hex');
    }
  }
  return {
    issuer: formatName(issuerRdns),
    issuerKey: nameKey(issuerRdns),
    authorityKeyId,
    thisUpdate,
    nextUpdate,
    revoked,
    tbs: tbs.bytes,
    signatureAlgorithm: decodeOid(children(expect(algId, TAG.SEQUENCE, 'an algorithm'))[0]),
    signature: bitStringBytes(sig),
  };
}

function criticalUnknown(exts: Tlv, known: ReadonlySet<string>): boolean {
  return children(exts).some((ext) => {
    const parts = children(ext);
    const critical = parts[1]?.tag === TAG.BOOLEAN && parts[1].value[0] !== 0;
    return critical && !known.has(decodeOid(parts[0]));
  });
}

/**
 * True when `issuer` signed this CRL and may sign CRLs: names match, keyUsage (when present) has
 * cRLSign (RFC 5280 §4.2.1.3, §6.3.3 (f)), and the signature verifies.
 */
export function crlSignedBy(crl: ParsedCrl, issuer: ParsedCertificate): boolean {
  if (crl.issuerKey !== issuer.subjectKey) return false;
  if (crl.authorityKeyId !== undefined && issuer.subjectKeyId !== undefined)
    if (crl.authorityKeyId !== issuer.subjectKeyId) return false;
  if (issuer.keyUsage !== undefined && !issuer.keyUsage.has(KEY_USAGE.cRLSign)) return false;
  const hash = ALGORITHMS[crl.signatureAlgorithm];
  if (hash === undefined) return false;
  try {
    return verifySignature(hash, crl.tbs, issuer.publicKey, crl.signature);
  } catch {
    return false;
  }
}

export function crlAlgorithmSupported(crl: ParsedCrl): boolean {
  return ALGORITHMS[crl.signatureAlgorithm] !== undefined;
}
