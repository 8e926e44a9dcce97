/**
 * Optional capture of request and response headers into the call record, for the routes named in
 * `KEYWAY_CAPTURE_ROUTES` (off by default). Every credential-bearing header is redacted whatever the
 * settings say, and so are the fields listed in `KEYWAY_CAPTURE_REDACT`. Bodies are not captured yet
 * (docs/observability.md).
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

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

export class HeaderCapture {
  private readonly redact: Set<string>;

  constructor(
    readonly routes: ReadonlySet<string>,
    extraRedact: readonly string[],
  ) {
    this.redact = new Set([...CREDENTIAL_HEADERS, ...extraRedact.map((h) => h.toLowerCase())]);
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): HeaderCapture | undefined {
    const list = (name: string): string[] =>
      (env[name] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    const routes = list('KEYWAY_CAPTURE_ROUTES');
    if (routes.length === 0) return undefined;
    return new HeaderCapture(new Set(routes), list('KEYWAY_CAPTURE_REDACT'));
  }

  /** JSON text of both header sets with every sensitive value replaced. */
  capture(request: IncomingHttpHeaders, response: OutgoingHttpHeaders | undefined): string {
    return JSON.stringify({ request: this.clean(request), response: this.clean(response ?? {}) });
  }

  private clean(headers: IncomingHttpHeaders | OutgoingHttpHeaders): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      out[name] = this.redact.has(name.toLowerCase()) ? '[redacted]' : value;
    }
    return out;
  }
}
