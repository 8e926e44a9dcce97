/**
 * Optional capture of headers and bodies into the call record, per route, off by default
 * (docs/observability.md): `KEYWAY_CAPTURE_ROUTES` names the routes whose request and response headers are
 * kept, `KEYWAY_CAPTURE_BODIES` those whose bodies are (their first `KEYWAY_CAPTURE_BODY_BYTES`).
 *
 * Never a secret, whatever the settings say: credential headers (by name, and any header whose name says
 * key/token/secret/auth…) are redacted, credential fields of JSON and form bodies too, the credentials the
 * request presented are masked wherever a body repeats them, and Keyway keys (`kw_live_…`) are masked
 * everywhere. Settings only add names to redact.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { RequestContext } from '../pipeline/context.js';
import { BodyPrefix, ResponseTap, tapRequest } from './capture/body-tap.js';
import { describeBody } from './capture/captured-body.js';
import { CREDENTIAL_HEADERS, PresentedCredentials, REDACTED } from './capture/presented-credentials.js';
import { credentialHeaderName, SensitiveNames } from './capture/sensitive-names.js';
import type { CaptureSettings } from './observe-settings.js';

export { CREDENTIAL_HEADERS } from './capture/presented-credentials.js';

/** The body taps of one call, installed before its phases run. */
export interface CallTaps {
  request: BodyPrefix;
  response: ResponseTap;
}

const KEYWAY_KEY = /kw_(?:live|test)_[0-9A-Za-z_]*/g;

/**
 * Captured bodies ride in records that wait in the ring for the writer. The ring bounds their number, not
 * their size, so body text is kept only while the records waiting could hold at most this much of it
 * (counting every one as a full capture both ways); beyond, a body is recorded as type and size, with
 * `omitted: "backlog"`. At 4 KiB that is 8192 waiting records — more than a healthy writer ever leaves.
 */
export const BACKLOG_BYTES = 64 * 1024 * 1024;

export class CallCapture {
  private readonly headerRoutes: ReadonlySet<string>;
  private readonly bodyRoutes: ReadonlySet<string>;
  private readonly allHeaders: boolean;
  private readonly allBodies: boolean;
  private readonly redactHeaders: ReadonlySet<string>;
  private readonly names: SensitiveNames;

  constructor(private readonly settings: CaptureSettings) {
    this.headerRoutes = new Set(settings.headerRoutes);
    this.bodyRoutes = new Set(settings.bodyRoutes);
    this.allHeaders = this.headerRoutes.has('*');
    this.allBodies = this.bodyRoutes.has('*');
    this.redactHeaders = new Set([
      ...CREDENTIAL_HEADERS,
      ...settings.redactHeaders.map((h) => h.toLowerCase()),
    ]);
    this.names = new SensitiveNames(settings.redactFields);
  }

  /** Undefined when no route captures anything: the observer then skips capture entirely. */
  static from(settings: CaptureSettings): CallCapture | undefined {
    return settings.headerRoutes.length === 0 && settings.bodyRoutes.length === 0
      ? undefined
      : new CallCapture(settings);
  }

  /** Installs the body taps when the call's route captures bodies. */
  start(ctx: RequestContext): CallTaps | undefined {
    if (!this.allBodies && !this.bodyRoutes.has(ctx.route.name)) return undefined;
    const request = new BodyPrefix(this.settings.bodyBytes);
    tapRequest(ctx.req, request);
    const response = new ResponseTap(this.settings.bodyBytes, ctx.res);
    response.install();
    return { request, response };
  }

  /**
   * JSON text for the record's `capture` column, or null when the route captures nothing. `backlog`: the
   * records waiting to be written.
   */
  record(ctx: RequestContext, taps: CallTaps | undefined, backlog: number): string | null {
    const headers = this.allHeaders || this.headerRoutes.has(ctx.route.name);
    if (!headers && taps === undefined) return null;
    const out: Record<string, unknown> = {};
    if (headers) {
      out['request'] = this.clean(ctx.req.headers);
      out['response'] = this.clean(ctx.response?.headers ?? {});
    }
    if (taps !== undefined) {
      const req = ctx.req;
      const credentials = PresentedCredentials.of(req.headers, req.url, this.redactHeaders, this.names);
      const text = backlog * 2 * this.settings.bodyBytes <= BACKLOG_BYTES;
      out['request_body'] = describeBody(
        taps.request,
        req.headers['content-type'],
        req.headers['content-encoding'],
        text ? { names: this.names, credentials } : undefined,
      );
      out['response_body'] = describeBody(
        taps.response.body,
        taps.response.header('content-type'),
        taps.response.header('content-encoding'),
        text ? { names: this.names, credentials } : undefined,
      );
    }
    return JSON.stringify(out);
  }

  private clean(headers: IncomingHttpHeaders | OutgoingHttpHeaders): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      const lower = name.toLowerCase();
      if (this.redactHeaders.has(lower) || credentialHeaderName(lower)) out[name] = REDACTED;
      else if (typeof value === 'string') out[name] = value.replace(KEYWAY_KEY, REDACTED);
      else if (Array.isArray(value)) out[name] = value.map((v) => String(v).replace(KEYWAY_KEY, REDACTED));
      else out[name] = value;
    }
    return out;
  }
}
