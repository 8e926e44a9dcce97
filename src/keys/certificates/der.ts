/**
 * A minimal DER reader: just enough ASN.1 to walk certificates and CRLs (RFC 5280 §4.1, §5.1).
 *
 * Node's `crypto.X509Certificate` verifies signatures natively but exposes neither keyUsage bits,
 * the basicConstraints path length, critical flags, nor CRLs at all. `@peculiar/x509` does, but it loads
 * `tsyringe`, which refuses to run without a global `Reflect.getMetadata` polyfill — a process-wide
 * side effect the gateway should not take on for ~150 lines of parsing. DER is strict (definite lengths,
 * one encoding per value), which keeps this reader small: anything unexpected throws.
 */

export interface Tlv {
  /** The identifier octet (single-byte tags are all X.509 uses). */
  tag: number;
  /** The whole element, header included (what signatures cover, what names compare by). */
  bytes: Buffer;
  /** The contents octets. */
  value: Buffer;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export class DerError extends Error {
  override readonly name = 'DerError';
}

/** Reads one element at `offset`; `end` is where the next one starts. */
export function readTlv(buf: Buffer, offset = 0): Tlv & { end: number } {
  if (offset + 2 > buf.length) throw new DerError('truncated element');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not used in X.509');
  let length = buf[offset + 1];
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    // 0x80 is BER's indefinite length: DER forbids it (X.690 §10.1).
    if (n === 0 || n > 4) throw new DerError('unsupported length encoding');
    if (offset + 2 + n > buf.length) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i];
    header += n;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new DerError('element runs past its container');
  return {
    tag,
    bytes: buf.subarray(offset, end),
    value: buf.subarray(offset + header, end),
    end,
  };
}

/** The elements inside a constructed element (SEQUENCE, SET, explicit tag). */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let at = 0;
  while (at < t.value.length) {
    const c = readTlv(t.value, at);
    out.push(c);
    at = c.end;
  }
  return out;
}

/** Parses a whole buffer that must hold exactly one element. */
export function parseDer(buf: Buffer): Tlv {
  const t = readTlv(buf, 0);
  if (t.end !== buf.length) throw new DerError('trailing bytes after the element');
  return t;
}

export function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (t === undefined || t.tag !== tag) throw new DerError(`expected ${what}`);
  return t;
}

export function decodeOid(t: Tlv): string {
  const v = expect(t, TAG.OID, 'an object identifier').value;
  const parts: number[] = [];
  let n = 0;
  for (const byte of v) {
    n = n * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (parts.length === 0) parts.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
      else parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

/** An INTEGER as lowercase hex without leading zero octets: how serials compare (RFC 5280 §4.1.2.2). */
export function integerHex(t: Tlv): string {
  const hex = expect(t, TAG.INTEGER, 'an integer')
    .value.toString('hex')
    .replace(/^(00)+/, '');
  return hex === '' ? '00' : hex;
}

export function smallInteger(t: Tlv): number {
  const v = expect(t, TAG.INTEGER, 'an integer').value;
  if (v.length > 4 || ((v[0] ?? 0) & 0x80) !== 0) throw new DerError('integer out of range');
  return v.reduce((acc, b) => acc * 256 + b, 0);
}

export function isTime(t: Tlv | undefined): boolean {
  return t !== undefined && (t.tag === TAG.UTC_TIME || t.tag === TAG.GENERALIZED_TIME);
}

/** UTCTime years 50–99 are 19xx, 00–49 are 20xx (RFC 5280 §4.1.2.5.1); both forms end in `Z`. */
export function decodeTime(t: Tlv): Date {
  const s = t.value.toString('latin1');
  let m: RegExpExecArray | null;
  let year: number;
  if (t.tag === TAG.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)) !== null) {
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (
    t.tag === TAG.GENERALIZED_TIME &&
    (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)) !== null
  ) {
    year = Number(m[1]);
  } else {
    throw new DerError('malformed time');
  }
  const [mo, d, h, mi, sec] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(year, mo - 1, d, h, mi, sec));
}

/** A BIT STRING's payload without its leading unused-bits octet. */
export function bitStringBytes(t: Tlv): Buffer {
  const v = expect(t, TAG.BIT_STRING, 'a bit string').value;
  if (v.length === 0) throw new DerError('empty bit string');
  return v.subarray(1);
}

/** PEM blocks of one label (`CERTIFICATE`, `X509 CRL`) as DER buffers, in order. */
export function pemBlocks(text: string, label: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+?)-----END ${label}-----`, 'g');
  const out: Buffer[] = [];
  for (const m of text.matchAll(re)) out.push(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
  return out;
}
