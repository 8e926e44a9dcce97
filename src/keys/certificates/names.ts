/**
 * Distinguished names: the X.501 `Name` of a certificate printed as RFC 4514 text (as
 * `openssl x509 -nameopt RFC2253` prints it, e.g. `CN=acme-dashboard,O=Acme`), and a canonical key
 * to compare names by.
 *
 * RFC 5280 §7.1 compares names after RFC 4518 preparation (case folding, insignificant space). The
 * canonical key approximates that — lowercased, runs of spaces collapsed, multi-valued RDNs sorted — so
 * `CN=Acme, O=ACME` in an app's config matches a certificate whose subject is `O=Acme/CN=acme`, and a
 * CA re-encoding its name (PrintableString vs UTF8String) still chains.
 */
import { DerError, TAG, children, decodeOid, expect, type Tlv } from './der.js';

export interface Ava {
  type: string;
  value: string;
}
/** RDNs in DER order (most significant first: C, O, …, CN). */
export type Rdns = Ava[][];

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** Other spellings people write in config, mapped to the names above (compared lowercased). */
const ALIASES: Record<string, string> = {
  commonname: 'cn',
  surname: 'sn',
  countryname: 'c',
  localityname: 'l',
  stateorprovincename: 'st',
  streetaddress: 'street',
  organizationname: 'o',
  organizationalunitname: 'ou',
  givenname: 'gn',
  userid: 'uid',
  domaincomponent: 'dc',
  e: 'emailaddress',
  email: 'emailaddress',
  ...Object.fromEntries(Object.entries(SHORT_NAMES).map(([oid, n]) => [oid, n.toLowerCase()])),
};

/** Reads a `Name` (RFC 5280 §4.1.2.4). Values of string types become text; others stay `#hex`. */
export function readName(t: Tlv): Rdns {
  return children(expect(t, TAG.SEQUENCE, 'a name')).map((rdn) =>
    children(expect(rdn, TAG.SET, 'a relative distinguished name')).map((atv) => {
      const [oid, value] = children(expect(atv, TAG.SEQUENCE, 'an attribute'));
      if (oid === undefined || value === undefined) throw new DerError('incomplete attribute');
      const type = decodeOid(oid);
      const text = stringValue(value);
      return { type: SHORT_NAMES[type] ?? type, value: text ?? `#${value.bytes.toString('hex')}` };
    }),
  );
}

function stringValue(t: Tlv): string | undefined {
  switch (t.tag) {
    case 0x0c: // UTF8String
      return t.value.toString('utf8');
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
    case 0x14: // TeletexString: in practice Latin-1
      return t.value.toString('latin1');
    case 0x1e: // BMPString: UCS-2 big-endian
      return Buffer.from(t.value).swap16().toString('utf16le');
    default:
      return undefined;
  }
}

/** RFC 4514 text: RDNs in reverse order, `,` between RDNs and `+` inside one. */
export function formatName(rdns: Rdns): string {
  return [...rdns]
    .reverse()
    .map((rdn) =>
      rdn.map((a) => `${a.type}=${a.value.startsWith('#') ? a.value : escape(a.value)}`).join('+'),
    )
    .join(',');
}

/** The key names compare by (see the file comment). */
export function nameKey(rdns: Rdns): string {
  return [...rdns]
    .reverse()
    .map((rdn) =>
      rdn
        .map((a) => `${typeKey(a.type)}=${escape(a.value.trim().replace(/\s+/g, ' ').toLowerCase())}`)
        .sort()
        .join('+'),
    )
    .join(',');
}

function typeKey(type: string): string {
  const t = type.trim().toLowerCase();
  return ALIASES[t] ?? t;
}

/** RFC 4514 §2.4: the characters that must be escaped in a value. */
function escape(v: string): string {
  let out = v.replace(/[\\"+,;<>]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/**
 * Parses a DN as people write it: RFC 4514 (`CN=acme,O=Acme`, spaces after commas allowed) or
 * OpenSSL's one-line form (`/O=Acme/CN=acme`, most significant first). Returns undefined when it does
 * not parse, so a typo in an app's config simply never matches.
 */
export function parseDnText(text: string): Rdns | undefined {
  const s = text.trim();
  if (s.startsWith('/')) {
    const rdns: Rdns = [];
    for (const part of s.slice(1).split('/')) {
      const eq = part.indexOf('=');
      if (eq <= 0) return undefined;
      rdns.push([{ type: part.slice(0, eq), value: part.slice(eq + 1) }]);
    }
    return rdns;
  }
  const rdns: Rdns = [];
  let rdn: Ava[] = [];
  let type = '';
  let value = '';
  let inValue = false;
  const flush = (): boolean => {
    if (!inValue || type.trim() === '') return false;
    rdn.push({ type: type.trim(), value: value.trim() });
    type = '';
    value = '';
    inValue = false;
    return true;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (!inValue) {
      if (c === '=') inValue = true;
      else type += c;
    } else if (c === '\\') {
      // `\XX` escapes are UTF-8 octets (RFC 4514 §2.4): gather a run of them, then decode.
      const bytes: number[] = [];
      let hex: RegExpExecArray | null;
      while (s[i] === '\\' && (hex = /^[0-9A-Fa-f]{2}/.exec(s.slice(i + 1, i + 3))) !== null) {
        bytes.push(parseInt(hex[0], 16));
        i += 3;
      }
      if (bytes.length > 0) {
        value += Buffer.from(bytes).toString('utf8');
        i--;
      } else value += s[++i] ?? '';
    } else if (c === '+') {
      if (!flush()) return undefined;
    } else if (c === ',' || c === ';') {
      if (!flush()) return undefined;
      rdns.unshift(rdn);
      rdn = [];
    } else value += c;
  }
  if (!flush()) return undefined;
  rdns.unshift(rdn);
  return rdns;
}
