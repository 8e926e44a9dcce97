/**
 * The spans of one call, built from the same facts as its call record when the response closes: a SERVER
 * span for the call as the client saw it, and a CLIENT span for the upstream exchange when there was one.
 * Names and attributes follow the OpenTelemetry HTTP semantic conventions (stable since v1.23): the SERVER
 * span is `{method} {http.route}` with `http.request.method`, `url.path`, `url.scheme`, `http.route`,
 * `http.response.status_code`, `server.address`/`server.port`, `client.address`, `network.peer.address`,
 * `network.protocol.version`, `user_agent.original`; the CLIENT span is `{method}` with `url.full`,
 * `server.address`/`server.port`, `http.response.status_code`, `http.request.resend_count`; a method outside
 * the known set is `_OTHER` with `http.request.method_original`; `error.type` on failures. The GenAI ones for
 * AI calls; Keyway's own facts go under `keyway.*`.
 *
 * Never a secret: neither `url.path` nor `url.full` has the query string (keys in `?apikey=` stay out), the
 * credential is its id, and no header value is copied except the user agent.
 *
 * Plain data, no SDK types: this module is loaded whether or not tracing is on, the SDK only when it is.
 */
import type { RequestContext } from '../../pipeline/context.js';
import type { TraceIds } from '../trace-context.js';

export type SpanAttributes = Record<string, string | number>;

export interface SpanSpec {
  name: string;
  /** Preset span id (the CLIENT span's is the parent id sent upstream); undefined: a new random one. */
  spanId: string | undefined;
  /** Epoch nanoseconds. */
  startNs: bigint;
  endNs: bigint;
  attributes: SpanAttributes;
  /** Set when the span failed (OpenTelemetry status ERROR): the `error.type`. */
  error: string | undefined;
}

export interface CallSpans {
  traceId: string;
  /** The caller's span, when the request came with a `traceparent`. */
  parentId: string | undefined;
  server: SpanSpec;
  client: SpanSpec | undefined;
}

// hrtime is monotonic but has no epoch; this maps it once, with performance.now()'s sub-millisecond epoch.
const EPOCH_NS_AT_HRTIME_ZERO =
  BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)) - process.hrtime.bigint();

export function epochNs(hr: bigint): bigint {
  return EPOCH_NS_AT_HRTIME_ZERO + hr;
}

export function callSpans(ctx: RequestContext, ids: TraceIds, end: bigint, status: number): CallSpans {
  const req = ctx.req;
  const route = ctx.route;
  const original = req.method ?? 'GET';
  const method = KNOWN_METHODS.has(original) ? original : '_OTHER';
  const path = pathOf(req.url);
  const server: SpanAttributes = {
    'http.request.method': method,
    'url.path': path,
    'url.scheme': (req.socket as { encrypted?: boolean } | null)?.encrypted === true ? 'https' : 'http',
    'client.address': ctx.clientIp,
    'network.protocol.version': req.httpVersion,
    'keyway.request_id': ctx.requestId,
    'keyway.workspace': route.workspace,
    'keyway.route': route.name,
    'keyway.service': route.service.name,
  };
  if (method !== original) server['http.request.method_original'] = original;
  const httpRoute = route.httpRoute?.(path);
  if (httpRoute !== undefined) server['http.route'] = httpRoute;
  const peer = (req.socket as { remoteAddress?: string } | null)?.remoteAddress;
  if (peer !== undefined) server['network.peer.address'] = peer;
  if (ctx.res.headersSent) server['http.response.status_code'] = status;
  const host = hostAndPort(req.headers.host);
  if (host !== undefined) {
    server['server.address'] = host.address;
    if (host.port !== undefined) server['server.port'] = host.port;
  }
  const ua = req.headers['user-agent'];
  if (ua !== undefined) server['user_agent.original'] = ua;
  const id = ctx.identity;
  if (id !== undefined) {
    server['keyway.consumer'] = id.consumerName;
    const app = id.appName ?? id.appId;
    if (app !== undefined) server['keyway.app'] = app;
    if (id.credentialId !== undefined) server['keyway.credential_id'] = id.credentialId;
  }
  if (ctx.errorCode !== undefined) server['keyway.error_code'] = ctx.errorCode;
  const usage = ctx.usage;
  if (usage !== undefined) {
    server['gen_ai.request.model'] = usage.model;
    server['gen_ai.system'] = usage.provider;
    server['gen_ai.usage.input_tokens'] = usage.tokensIn;
    server['gen_ai.usage.output_tokens'] = usage.tokensOut;
    if (usage.cost !== undefined) server['keyway.ai.cost'] = usage.cost;
  }
  // Server spans: 5xx is an error, 4xx is the client's (semantic conventions, "Status").
  let serverError: string | undefined;
  if (!ctx.res.headersSent) serverError = ctx.errorCode ?? 'client_closed';
  else if (status >= 500) serverError = ctx.errorCode ?? String(status);
  if (serverError !== undefined) server['error.type'] = serverError;

  let client: SpanSpec | undefined;
  if (ctx.upstreamStartedAt !== 0n) {
    const attrs: SpanAttributes = {
      'http.request.method': method,
      'url.path': ctx.upstreamPath,
      'keyway.service': route.service.name,
      'keyway.retries': ctx.retries,
    };
    if (method !== original) attrs['http.request.method_original'] = original;
    // The AI gateway's provider calls have their own URLs (not the route's path): no `url.full` for them.
    if (ctx.target !== undefined && !route.service.ai)
      attrs['url.full'] = `${route.service.protocol}//${ctx.target}${ctx.upstreamPath}`;
    const target = hostAndPort(ctx.target);
    if (target !== undefined) {
      attrs['server.address'] = target.address;
      if (target.port !== undefined) attrs['server.port'] = target.port;
    }
    if (ctx.retries > 0) attrs['http.request.resend_count'] = ctx.retries;
    if (ctx.upstreamStatus !== 0) attrs['http.response.status_code'] = ctx.upstreamStatus;
    let clientError: string | undefined;
    if (ctx.upstreamStatus === 0) clientError = ctx.errorCode ?? 'no_response';
    else if (ctx.upstreamStatus >= 500) clientError = String(ctx.upstreamStatus);
    if (clientError !== undefined) attrs['error.type'] = clientError;
    client = {
      // A client span without a URL template is named by its method alone (semantic conventions).
      name: method,
      spanId: ids.spanId,
      startNs: epochNs(ctx.upstreamStartedAt),
      endNs: epochNs(ctx.upstreamEndedAt === 0n ? end : ctx.upstreamEndedAt),
      attributes: attrs,
      error: clientError,
    };
  }

  return {
    traceId: ids.traceId,
    parentId: ids.parentId,
    server: {
      name: httpRoute === undefined ? method : `${method} ${httpRoute}`,
      spanId: undefined,
      startNs: epochNs(ctx.startedAt),
      endNs: epochNs(end),
      attributes: server,
      error: serverError,
    },
    client,
  };
}

/** The methods the conventions know; any other is reported as `_OTHER` (low cardinality). */
const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
  'QUERY',
]);

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  const p = q === -1 ? u : u.slice(0, q);
  return p.length > 2048 ? p.slice(0, 2048) : p;
}

/** `host`, `host:port`, `[v6]:port`. */
function hostAndPort(value: string | undefined): { address: string; port: number | undefined } | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(value);
  if (m === null) return { address: value, port: undefined };
  const address = (m[1] ?? value).replace(/^\[|\]$/g, '');
  return { address, port: m[2] === undefined ? undefined : Number(m[2]) };
}
