/**
 * Which field names hold credentials: JSON keys and form fields of captured bodies, query parameters and
 * header names. Names are compared normalised — lower case, letters and digits only — so `api_key`,
 * `apiKey`, `API-Key` and `x-api-key`'s last part all read the same.
 *
 * Built in, whatever the settings say: exact names that are credentials on their own (`key`, `pass`,
 * `authorization`…) and suffixes that make any name one (`…password`, `…secret`, `…token`, `…apikey`):
 * `client_secret`, `access_token`, `refresh_token`, `new_password`. Counters such as `max_tokens` or
 * `prompt_tokens` end in `tokens`, not `token`, so AI request bodies keep their parameters.
 */

const EXACT: ReadonlySet<string> = new Set([
  'key',
  'pass',
  'pwd',
  'passwd',
  'passphrase',
  'auth',
  'authorization',
  'cookie',
  'credential',
  'credentials',
]);

const SUFFIXES: readonly string[] = [
  'password',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'secretkey',
  'accesskey',
  'sessionid',
];

/** Parts of a header name that make it credential-bearing (`x-partner-key`, `x-auth-token`). */
const HEADER_PARTS: ReadonlySet<string> = new Set([
  'key',
  'apikey',
  'token',
  'secret',
  'password',
  'passwd',
  'auth',
  'authorization',
  'cookie',
  'session',
  'credential',
  'credentials',
  'signature',
]);

export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export class SensitiveNames {
  private readonly extra: ReadonlySet<string>;

  /** `extra`: configured field names (KEYWAY_CAPTURE_REDACT_FIELDS), matched exactly after normalising. */
  constructor(extra: readonly string[] = []) {
    this.extra = new Set(extra.map(normaliseName).filter((n) => n !== ''));
  }

  /** A JSON key, form field or query parameter whose value must not be recorded. */
  field(name: string): boolean {
    const n = normaliseName(name);
    if (n === '') return false;
    if (EXACT.has(n) || this.extra.has(n)) return true;
    for (const s of SUFFIXES) if (n.endsWith(s)) return true;
    return false;
  }
}

/** A header whose name says it carries a credential, for the schemes Keyway does not list by name. */
export function credentialHeaderName(name: string): boolean {
  for (const part of name.toLowerCase().split(/[-_]/)) if (HEADER_PARTS.has(part)) return true;
  return false;
}
