/**
 * The one registry of Keyway error codes.
 *
 * Every error a client or an operator can see has a `KW_ERR_*` code, a default HTTP status and a message
 * template. Messages name the parameter or field that was wrong and never the secret value itself.
 * `docs/errors.md` lists every code; a test fails when one is missing there.
 *
 * Two kinds: `misuse` (bad configuration, wrong admin call: the operator's to fix) and `input`
 * (bad data on the request path: the client's to fix), plus `upstream`/`internal` for what went wrong
 * behind the gateway.
 */

export type ErrorKind = 'misuse' | 'input' | 'upstream' | 'internal';

interface ErrorDef {
  readonly status: number;
  readonly kind: ErrorKind;
  readonly message: string;
}

export const ERRORS = {
  // --- request path (data plane) -------------------------------------------------------------
  KW_ERR_NO_ROUTE: { status: 404, kind: 'input', message: 'no route matches this request' },
  KW_ERR_URI_TOO_LONG: { status: 414, kind: 'input', message: 'request target is longer than {limit} bytes' },
  KW_ERR_HEADERS_TOO_LARGE: {
    status: 431,
    kind: 'input',
    message: 'request header fields are larger than {limit} bytes',
  },
  KW_ERR_BAD_REQUEST: { status: 400, kind: 'input', message: 'malformed request: {reason}' },
  KW_ERR_REQUEST_TIMEOUT: { status: 408, kind: 'input', message: 'request not received in time: {reason}' },
  KW_ERR_UPSTREAM_UNAVAILABLE: {
    status: 502,
    kind: 'upstream',
    message: 'upstream refused or reset the connection',
  },
  KW_ERR_UPSTREAM_BAD_RESPONSE: {
    status: 502,
    kind: 'upstream',
    message: 'upstream sent an invalid response',
  },
  KW_ERR_UPSTREAM_TIMEOUT: {
    status: 504,
    kind: 'upstream',
    message: 'upstream did not answer within {timeout}',
  },
  KW_ERR_NO_TARGET: {
    status: 503,
    kind: 'upstream',
    message: 'upstream "{upstream}" has no available target',
  },
  KW_ERR_CIRCUIT_OPEN: {
    status: 503,
    kind: 'upstream',
    message: 'service "{service}" is failing: its circuit breaker is open, try again later',
  },
  KW_ERR_SHUTTING_DOWN: { status: 503, kind: 'internal', message: 'gateway is shutting down' },
  KW_ERR_REQUEST_TERMINATED: { status: 503, kind: 'input', message: '{message}' },
  KW_ERR_INTERNAL: { status: 500, kind: 'internal', message: 'internal gateway error' },
  // Authentication answers say nothing about which part of a credential was wrong.
  KW_ERR_AUTH_MISSING: { status: 401, kind: 'input', message: 'credentials are required' },
  KW_ERR_AUTH_INVALID: { status: 401, kind: 'input', message: 'invalid credentials' },
  KW_ERR_FORBIDDEN: { status: 403, kind: 'input', message: 'not allowed' },
  KW_ERR_NOT_SUBSCRIBED: {
    status: 403,
    kind: 'input',
    message: 'no approved subscription to service "{service}"',
  },
  // Access control (docs/access-control.md): the client learns which kind of check refused it, never the
  // rule, the roles or the address lists (they describe the operator's policy); the call record has them.
  KW_ERR_ROLE_REQUIRED: { status: 403, kind: 'input', message: 'a role this route requires is missing' },
  KW_ERR_ACCESS_DENIED: { status: 403, kind: 'input', message: 'an access rule denied this request' },
  KW_ERR_IP_DENIED: { status: 403, kind: 'input', message: 'requests from this address are not allowed' },
  KW_ERR_AUTH_UNAVAILABLE: { status: 503, kind: 'upstream', message: 'authentication service unavailable' },
  // Limits answer 429 (RFC 6585 §4) with Retry-After, never 403: the caller may come back later.
  KW_ERR_RATE_LIMITED: { status: 429, kind: 'input', message: 'rate limit exceeded' },
  KW_ERR_QUOTA_EXCEEDED: { status: 429, kind: 'input', message: 'quota exceeded' },
  KW_ERR_CONCURRENCY_LIMITED: { status: 429, kind: 'input', message: 'too many requests in flight' },
  KW_ERR_LIMITS_UNAVAILABLE: { status: 503, kind: 'upstream', message: 'limit counters unavailable' },
  // AI gateway (src/ai): answered as OpenAI-style error objects (Anthropic-style on /v1/messages).
  KW_ERR_MODEL_NOT_FOUND: { status: 404, kind: 'input', message: 'model "{model}" does not exist' },
  KW_ERR_MODEL_NOT_ALLOWED: {
    status: 403,
    kind: 'input',
    message: 'model "{model}" is not allowed for this key',
  },
  KW_ERR_TOKEN_LIMIT_EXCEEDED: { status: 429, kind: 'input', message: 'token rate limit exceeded' },
  KW_ERR_BUDGET_EXCEEDED: {
    status: 429,
    kind: 'input',
    message: 'spend budget of the current period is used up',
  },
  KW_ERR_PROMPT_TOO_LARGE: {
    status: 413,
    kind: 'input',
    message: 'prompt is larger than {limit} {unit}',
  },
  KW_ERR_PROMPT_VARIABLES: { status: 400, kind: 'input', message: '{reason}' },
  KW_ERR_AI_PROVIDER: { status: 502, kind: 'upstream', message: 'AI provider error: {reason}' },
  KW_ERR_AI_PROVIDER_TIMEOUT: {
    status: 504,
    kind: 'upstream',
    message: 'AI provider did not answer within {timeout}',
  },
  KW_ERR_AI_NO_PROVIDER: {
    status: 503,
    kind: 'upstream',
    message: 'no provider could serve model "{model}": {reason}',
  },
  KW_ERR_AI_STREAM_BROKEN: { status: 502, kind: 'upstream', message: 'AI provider stream broke: {reason}' },
  KW_ERR_AI_ENDPOINT: { status: 404, kind: 'input', message: 'no AI endpoint {method} {path}' },
  KW_ERR_CLIENT_CLOSED: {
    status: 499,
    kind: 'input',
    message: 'the client closed the connection before the answer',
  },

  // --- admin API and configuration -----------------------------------------------------------
  KW_ERR_UNAUTHORIZED: { status: 401, kind: 'input', message: 'missing or invalid admin token' },
  KW_ERR_ADMIN_FORBIDDEN: {
    status: 403,
    kind: 'misuse',
    message: 'your admin roles do not allow {action} on {area} in {where}',
  },
  // One answer for a wrong name and a wrong password: a login does not tell which user names exist.
  KW_ERR_ADMIN_LOGIN_FAILED: { status: 401, kind: 'input', message: 'wrong user name or password' },
  KW_ERR_ADMIN_LOCKED_OUT: {
    status: 429,
    kind: 'input',
    message: 'too many failed logins: this user is locked out until {until}',
  },
  // The console's session cookie rides along on requests other sites make: a change needs the CSRF token too.
  KW_ERR_CSRF: {
    status: 403,
    kind: 'input',
    message: 'missing or wrong CSRF token: a request signed in by the console cookie sends it in {header}',
  },
  KW_ERR_WEB_NOT_BUILT: {
    status: 503,
    kind: 'internal',
    message: 'the {app} was not built into this installation: run `npm run build`',
  },
  // Per client address, across user names: credential stuffing locks no single user.
  KW_ERR_ADMIN_LOGIN_THROTTLED: {
    status: 429,
    kind: 'input',
    message: 'too many failed logins from this address: try again in {seconds} s',
  },
  // A workspace admin managing their team: what they may not grant or change, named.
  KW_ERR_ADMIN_GRANT_FORBIDDEN: { status: 403, kind: 'misuse', message: '{reason}' },
  KW_ERR_VALIDATION: { status: 400, kind: 'misuse', message: '{reason}' },

  // --- developer portal (its own listener, docs/portal.md) -----------------------------------
  KW_ERR_PORTAL_SIGNED_OUT: { status: 401, kind: 'input', message: 'sign in to the portal first' },
  // A forged or stale form: the session's CSRF token is missing or wrong, or the Origin is another site's.
  KW_ERR_PORTAL_CSRF: { status: 403, kind: 'input', message: 'request refused: {reason}' },
  // One answer for an unknown email and a wrong password: sign-in does not tell which accounts exist.
  KW_ERR_PORTAL_LOGIN_FAILED: { status: 401, kind: 'input', message: 'wrong email or password' },
  KW_ERR_PORTAL_LOCKED_OUT: {
    status: 429,
    kind: 'input',
    message: 'too many failed sign-ins: this account is locked until {until}',
  },
  KW_ERR_PORTAL_LOGIN_THROTTLED: {
    status: 429,
    kind: 'input',
    message: 'too many failed sign-ins from this address: try again in {seconds} s',
  },
  KW_ERR_PORTAL_EMAIL_TAKEN: { status: 409, kind: 'input', message: 'an account with this email exists' },
  KW_ERR_PORTAL_EMAIL_UNVERIFIED: {
    status: 403,
    kind: 'input',
    message: 'verify your email first: follow the link sent to it',
  },
  KW_ERR_PORTAL_LINK_INVALID: {
    status: 400,
    kind: 'input',
    message: 'this link is invalid, expired or already used',
  },
  KW_ERR_PORTAL_OIDC: { status: 401, kind: 'input', message: 'OpenID Connect sign-in failed: {reason}' },
  KW_ERR_NOT_FOUND: { status: 404, kind: 'misuse', message: '{kind} "{name}" not found' },
  KW_ERR_ADMIN_ROUTE_NOT_FOUND: { status: 404, kind: 'misuse', message: 'no admin endpoint {method} {path}' },
  KW_ERR_CONFLICT: { status: 409, kind: 'misuse', message: '{reason}' },
  KW_ERR_SUBSCRIPTION_STATE: { status: 409, kind: 'misuse', message: '{reason}' },
  KW_ERR_REFERENCE: { status: 400, kind: 'misuse', message: '{reason}' },
  KW_ERR_ROUTE_COLLISION: { status: 400, kind: 'misuse', message: '{reason}' },
  KW_ERR_PLUGIN_UNKNOWN: { status: 400, kind: 'misuse', message: 'unknown plugin "{name}"' },
  KW_ERR_PLUGIN_CONFIG: {
    status: 400,
    kind: 'misuse',
    message: 'invalid config for plugin "{name}": {reason}',
  },
  KW_ERR_CONFIG_FILE: { status: 400, kind: 'misuse', message: '{file}: {reason}' },
  KW_ERR_PAYLOAD_TOO_LARGE: {
    status: 413,
    kind: 'input',
    message: 'request body is larger than {limit} bytes',
  },
  KW_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, kind: 'input', message: 'content type must be {expected}' },
  KW_ERR_BODY_TOO_DEEP: {
    status: 400,
    kind: 'input',
    message: 'request body nests arrays and objects deeper than {limit} levels',
  },

  // --- node and store ------------------------------------------------------------------------
  KW_ERR_STORE_UNAVAILABLE: { status: 503, kind: 'internal', message: 'store is unreachable: {reason}' },
  KW_ERR_NOT_READY: { status: 503, kind: 'internal', message: 'not ready: {reason}' },
  KW_ERR_NODE_CONFIG: { status: 400, kind: 'misuse', message: 'invalid node setting {field}: {reason}' },
  KW_ERR_TLS_CONFIG: { status: 400, kind: 'misuse', message: 'invalid TLS setting {field}: {reason}' },
  KW_ERR_CLI_USAGE: { status: 400, kind: 'misuse', message: '{reason}' },
  KW_ERR_ADMIN_UNREACHABLE: {
    status: 503,
    kind: 'misuse',
    message: 'cannot reach the Keyway admin API at {url}: {reason}',
  },
} as const satisfies Record<string, ErrorDef>;

export type ErrorCode = keyof typeof ERRORS;

/** One field-level problem, with a JSON pointer into the offending document. */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class KeywayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly kind: ErrorKind;
  readonly details: ErrorDetail[] | undefined;
  /** Extra response headers, e.g. `WWW-Authenticate` or `Retry-After`. */
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    params: Record<string, string | number> = {},
    opts: {
      details?: ErrorDetail[];
      headers?: Record<string, string>;
      cause?: unknown;
      status?: number;
    } = {},
  ) {
    const def: ErrorDef = ERRORS[code];
    super(format(def.message, params), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'KeywayError';
    this.code = code;
    this.status = opts.status ?? def.status;
    this.kind = def.kind;
    this.details = opts.details;
    this.headers = opts.headers;
  }

  /** The JSON body every client gets: never internals, never upstream details. */
  toBody(requestId?: string): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message };
    if (requestId !== undefined) error.request_id = requestId;
    if (this.details !== undefined && this.details.length > 0) error.details = this.details;
    return { error };
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id?: string; details?: ErrorDetail[] };
}

export function isKeywayError(err: unknown): err is KeywayError {
  return err instanceof KeywayError;
}

function format(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    return value === undefined ? `{${key}}` : String(value);
  });
}

/** Shorthand for a validation failure with field paths. */
export function validationError(details: ErrorDetail[], reason?: string): KeywayError {
  const first = details[0];
  const summary =
    reason ?? (first === undefined ? 'invalid input' : `${first.path || '/'}: ${first.message}`);
  return new KeywayError('KW_ERR_VALIDATION', { reason: summary }, { details });
}
