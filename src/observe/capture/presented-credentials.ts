/**
 * The credentials a request presented — API keys, bearer tokens, Basic passwords, session cookies, keys in
 * the query string — so that a captured body can be checked for them. Services echo what they get (error
 * bodies that quote the header, debug endpoints, form posts of the same key), and a body that quotes the
 * caller's key must not put it into a call record.
 *
 * Values shorter than MIN_LENGTH are not collected: masking three-letter strings everywhere would destroy
 * bodies and protect nothing an attacker could not guess.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { credentialHeaderName, type SensitiveNames } from './sensitive-names.js';

/** Headers that carry credentials in the schemes Keyway knows (and common vendor ones). */
export const CREDENTIAL_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'apikey',
  'x-api-key',
  'api-key',
  'keyway-admin-token',
  'x-amz-security-token',
  'x-client-cert',
  'x-ssl-client-cert',
];

export const MIN_LENGTH = 8;
export const REDACTED = '[redacted]';

/** Keyway keys (`kw_live_…`, `kw_test_…`, src/keys/key-format.ts), whole or cut short, wherever they are. */
const KEYWAY_KEY = /kw_(?:live|test)_[0-9A-Za-z_]*/g;

export class PresentedCredentials {
  /** Longest first, so a value that contains another is replaced whole. */
  readonly values: readonly string[];

  constructor(values: Iterable<string>) {
    this.values = [...new Set(values)]
      .filter((v) => v.length >= MIN_LENGTH)
      .sort((a, b) => b.length - a.length);
  }

  /** Collects what the request presented, from its original headers and query string. */
  static of(
    headers: IncomingHttpHeaders,
    url: string | undefined,
    credentialHeaders: ReadonlySet<string>,
    names: SensitiveNames,
  ): PresentedCredentials {
    const found: string[] = [];
    const add = (v: string): void => {
      const t = v.trim();
      if (t.length >= MIN_LENGTH) found.push(t);
    };
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      const credential = credentialHeaders.has(name) || credentialHeaderName(name);
      for (const v of Array.isArray(value) ? value : [value]) {
        if (credential) {
          add(v);
          if (name === 'authorization' || name === 'proxy-authorization') authorizationParts(v, add);
          else if (name === 'cookie') for (const c of v.split(';')) add(c.slice(c.indexOf('=') + 1));
        } else {
          // A key in a header no rule knows about (a custom `key_names` header of key-auth).
          for (const m of v.matchAll(KEYWAY_KEY)) add(m[0]);
        }
      }
    }
    const q = url === undefined ? -1 : url.indexOf('?');
    if (url !== undefined && q !== -1) {
      for (const pair of url.slice(q + 1).split('&')) {
        const eq = pair.indexOf('=');
        if (eq === -1) continue;
        const value = decode(pair.slice(eq + 1));
        if (names.field(decode(pair.slice(0, eq))) || /kw_(?:live|test)_/.test(value)) {
          add(value);
          add(pair.slice(eq + 1));
        }
      }
    }
    return new PresentedCredentials(found);
  }

  /**
   * Replaces every presented credential and every Keyway key in `text`. `truncated`: the text is a prefix
   * cut at the byte limit, so its end may hold the first part of a credential — that part goes too.
   */
  mask(text: string, truncated: boolean): { text: string; found: boolean } {
    let out = text;
    let found = false;
    for (const v of this.values) {
      if (out.includes(v)) {
        found = true;
        out = out.split(v).join(REDACTED);
      }
    }
    out = out.replace(KEYWAY_KEY, REDACTED);
    if (truncated) out = trimPartial(out, this.values);
    return { text: out, found };
  }

  /** Does `text` hold a presented credential (whole)? */
  contains(text: string): boolean {
    for (const v of this.values) if (text.includes(v)) return true;
    return false;
  }
}

function authorizationParts(value: string, add: (v: string) => void): void {
  const sp = value.indexOf(' ');
  if (sp === -1) return;
  const scheme = value.slice(0, sp).toLowerCase();
  const rest = value.slice(sp + 1).trim();
  add(rest);
  if (scheme !== 'basic') return;
  const decoded = Buffer.from(rest, 'base64').toString('utf8');
  add(decoded);
  const colon = decoded.indexOf(':');
  if (colon !== -1) add(decoded.slice(colon + 1));
}

/** A prefix of a credential (4 characters or more) at the very end of a cut text. */
function trimPartial(text: string, values: readonly string[]): string {
  for (const v of values) {
    for (let k = Math.min(v.length - 1, text.length); k >= 4; k--) {
      if (text.endsWith(v.slice(0, k))) return text.slice(0, text.length - k) + REDACTED;
    }
  }
  return text;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
