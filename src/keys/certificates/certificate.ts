/**
 * One X.509 certificate, parsed once into what chain verification and consumer mapping need
 * (RFC 5280 §4.1 fields, §4.2 extensions). Signatures are checked with Node's native
 * `X509Certificate.verify` (OpenSSL: every algorithm TLS accepts, RSA-PSS included).
 */
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import {
  DerError,
  TAG,
  bitStringBytes,
  children,
  decodeOid,
  decodeTime,
  expect,
  integerHex,
  parseDer,
  pemBlocks,
  smallInteger,
  type Tlv,
} from './der.js';
import { formatName, nameKey, readName } from './names.js';

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

/**
 * Extensions we understand well enough to accept when marked critical. certificatePolicies counts:
 * Keyway validates with the initial policy set anyPolicy (RFC 5280 §6.1.1 (c)). Name constraints and
 * policy constraints are not processed, so a critical one refuses the chain (§6.1.4 (o)) rather than
 * being silently ignored.
 */
const RECOGNIZED = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.subjectKeyId,
  OID.authorityKeyId,
  '2.5.29.32', // certificatePolicies
  '2.5.29.31', // cRLDistributionPoints
  '2.5.29.18', // issuerAltName
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
]);

/** keyUsage bits (RFC 5280 §4.2.1.3), numbered from the most significant bit of the first octet. */
export const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

export interface ParsedCertificate {
  der: Buffer;
  /** Lowercase hex SHA-256 of the DER, no colons (the form `IdentityIndex` keys by). */
  fingerprint: string;
  /** Base64url SHA-256 of the DER: the `x5t#S256` thumbprint of RFC 8705 §3.1. */
  thumbprint: string;
  subject: string;
  issuer: string;
  subjectKey: string;
  issuerKey: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** Present when the basicConstraints extension is. */
  basicConstraints: { ca: boolean; pathLen: number | undefined } | undefined;
  /** Present when the keyUsage extension is: the bits that are set. */
  keyUsage: ReadonlySet<number> | undefined;
  /** Present when the extendedKeyUsage extension is: its OIDs. */
  extKeyUsage: readonly string[] | undefined;
  /** `DNS:…`, `URI:…`, `email:…`, `IP:…`, as OpenSSL prints them. */
  sans: readonly string[];
  subjectKeyId: string | undefined;
  authorityKeyId: string | undefined;
  /** Critical extensions this code does not process: a reason to refuse (RFC 5280 §4.2). */
  unknownCritical: readonly string[];
  publicKey: KeyObject;
  native: X509Certificate;
}

export function parseCertificate(der: Buffer): ParsedCertificate {
  const [tbs] = children(expect(parseDer(der), TAG.SEQUENCE, 'a certificate'));
  const fields = children(expect(tbs, TAG.SEQUENCE, 'a TBSCertificate'));
  // Version is an explicit [0] that v1 certificates omit.
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const [serial, , issuer, validity, subject] = fields.slice(at, at + 5);
  const [notBefore, notAfter] = children(expect(validity, TAG.SEQUENCE, 'a validity'));
  if (serial === undefined || issuer === undefined || subject === undefined) throw new DerError('incomplete');
  if (notBefore === undefined || notAfter === undefined) throw new DerError('incomplete validity');
  const extField = fields.find((f) => f.tag === 0xa3);
  const native = new X509Certificate(der);
  const digest = createHash('sha256').update(der).digest();
  const subjectRdns = readName(subject);
  const issuerRdns = readName(issuer);
  const cert: ParsedCertificate = {
    der,
    fingerprint: digest.toString('hex'),
    thumbprint: digest.toString('base64url'),
    subject: formatName(subjectRdns),
    issuer: formatName(issuerRdns),
    subjectKey: nameKey(subjectRdns),
    issuerKey: nameKey(issuerRdns),
    serial: integerHex(serial),
    notBefore: decodeTime(notBefore),
    notAfter: decodeTime(notAfter),
    basicConstraints: undefined,
    keyUsage: undefined,
    extKeyUsage: undefined,
    sans: [],
    subjectKeyId: undefined,
    authorityKeyId: undefined,
    unknownCritical: [],
    publicKey: native.publicKey,
    native,
  };
  if (extField !== undefined) readExtensions(cert, extField);
  return cert;
}

function readExtensions(cert: ParsedCertificate, field: Tlv): void {
  const [seq] = children(field);
  const unknown: string[] = [];
  for (const ext of children(expect(seq, TAG.SEQUENCE, 'extensions'))) {
    const parts = children(expect(ext, TAG.SEQUENCE, 'an extension'));
    const id = decodeOid(parts[0]);
    const critical = parts[1]?.tag === TAG.BOOLEAN && parts[1].value[0] !== 0;
    const octets = expect(parts[parts.length - 1], TAG.OCTET_STRING, 'extnValue').value;
    const value = parseDer(octets);
    if (critical && !RECOGNIZED.has(id)) unknown.push(id);
    switch (id) {
      case OID.basicConstraints: {
        const items = children(value);
        const ca = items[0]?.tag === TAG.BOOLEAN && items[0].value[0] !== 0;
        const len = items.find((i) => i.tag === TAG.INTEGER);
        cert.basicConstraints = { ca, pathLen: len === undefined ? undefined : smallInteger(len) };
        break;
      }
      case OID.keyUsage: {
        const bits = bitStringBytes(value);
        const set = new Set<number>();
        for (let i = 0; i < bits.length * 8; i++) if ((bits[i >> 3] >> (7 - (i & 7))) & 1) set.add(i);
        cert.keyUsage = set;
        break;
      }
      case OID.extKeyUsage:
        cert.extKeyUsage = children(value).map(decodeOid);
        break;
      case OID.subjectAltName:
        cert.sans = children(value).flatMap(generalName);
        break;
      case OID.subjectKeyId:
        cert.subjectKeyId = expect(value, TAG.OCTET_STRING, 'a key identifier').value.toString('hex');
        break;
      case OID.authorityKeyId: {
        const keyId = children(value).find((i) => i.tag === 0x80);
        cert.authorityKeyId = keyId?.value.toString('hex');
        break;
      }
      default:
        break;
    }
  }
  cert.unknownCritical = unknown;
}

/** GeneralName (RFC 5280 §4.2.1.6), the kinds a client certificate is mapped by. */
function generalName(t: Tlv): string[] {
  switch (t.tag) {
    case 0x81:
      return [`email:${t.value.toString('latin1')}`];
    case 0x82:
      return [`DNS:${t.value.toString('latin1')}`];
    case 0x86:
      return [`URI:${t.value.toString('latin1')}`];
    case 0x87:
      if (t.value.length === 4) return [`IP:${[...t.value].join('.')}`];
      if (t.value.length === 16) {
        const groups: string[] = [];
        for (let i = 0; i < 16; i += 2) groups.push(t.value.readUInt16BE(i).toString(16));
        return [`IP:${groups.join(':')}`];
      }
      return [];
    default:
      return [];
  }
}

/** True when `issuer` signed `cert`: names chain, key identifiers agree when both are present. */
export function issuedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (cert.issuerKey !== issuer.subjectKey) return false;
  if (cert.authorityKeyId !== undefined && issuer.subjectKeyId !== undefined)
    if (cert.authorityKeyId !== issuer.subjectKeyId) return false;
  try {
    return cert.native.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export function isSelfIssued(cert: ParsedCertificate): boolean {
  return cert.subjectKey === cert.issuerKey;
}

/** Splits PEM text into certificates; throws naming the position of the first that does not parse. */
export function parseCertificateBundle(pem: string, field: string): ParsedCertificate[] {
  const blocks = pemBlocks(pem, 'CERTIFICATE');
  if (blocks.length === 0) throw new Error(`${field} holds no PEM certificate`);
  return blocks.map((der, i) => {
    try {
      return parseCertificate(der);
    } catch (err) {
      const why = err instanceof Error ? err.message : 'unreadable';
      throw new Error(`${field} certificate #${i + 1} does not parse: ${why}`, { cause: err });
    }
  });
}
