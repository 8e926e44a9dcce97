/**
 * The per-request state that flows through the pipeline phases. One object per request, created by the
 * proxy handler; plugins read and write it. Kept as a plain class with fixed fields so V8 keeps one shape.
 */
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { CompiledRoute } from '../snapshot/types.js';
import type { CallTaps } from '../observe/capture.js';
import type { AiUsage } from '../observe/records/call-record.js';
import type { TraceIds } from '../observe/trace-context.js';
import type { LimitEntry } from '../limits/limit-headers.js';

/** Who is calling, once an identify-phase plugin has recognised a credential. */
export interface Identity {
  consumerId: string;
  consumerName: string;
  appId?: string;
  appName?: string;
  credentialId?: string;
  scopes?: string[];
  tags?: string[];
  /** Anything else later phases may need (JWT claims, certificate subject, plan…). */
  attributes?: Record<string, unknown>;
  /**
   * The same (frozen) object serves every request of this credential while the snapshot lasts, so later
   * phases may remember things by it (limits/counter-keys.ts). key-auth's identities are; identities made
   * per request are not.
   */
  shared?: boolean;
}

export class RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  /** `process.hrtime.bigint()` at arrival. */
  readonly startedAt: bigint;
  readonly clientIp: string;
  /** Replaced by a copy with consumer-scoped phases once the consumer is known. */
  route: CompiledRoute;
  /** Parameters captured by the route's path pattern. */
  readonly params: Record<string, string | undefined>;
  /** Path (without query) to send upstream, after strip_path / rewrite. Plugins may change it. */
  upstreamPath: string;
  /** Query string including the leading `?`, or ''. */
  upstreamQuery: string;
  /** Headers to send upstream (hop-by-hop already removed). Plugins may change them. */
  upstreamHeaders: Record<string, string | string[] | undefined>;
  identity: Identity | undefined = undefined;
  /**
   * Set by identify-phase plugins that found no credential of their kind: the challenges for
   * `WWW-Authenticate`, and the anonymous identity to fall back to if one is configured. When no plugin
   * identifies the caller, the pipeline answers 401 KW_ERR_AUTH_MISSING with these challenges.
   */
  auth: { challenges: string[]; anonymous: Identity | undefined } | undefined = undefined;
  /**
   * Set once the upstream answered (or a plugin answered): status and headers about to be sent — and the
   * body of a `respond` not yet written.
   */
  response: { status: number; headers: OutgoingHttpHeaders; body?: string | Buffer | undefined } | undefined =
    undefined;
  /** Target that served the request (`host:port`), for logs. */
  target: string | undefined = undefined;
  // Facts for the call record (src/observe), set where each becomes known and read when the response
  // closes: plain fields, so recording costs a few stores per request and no allocation.
  /** Status the upstream answered (0: no answer). */
  upstreamStatus = 0;
  /** `process.hrtime.bigint()` when the first attempt was dispatched upstream, and when it ended (0n: never). */
  upstreamStartedAt = 0n;
  upstreamEndedAt = 0n;
  /** Response body bytes streamed to the client from the upstream. */
  bytesOut = 0;
  /** Request body bytes read from a client that sent no Content-Length (chunked), as they streamed. */
  bytesIn = 0;
  /** Attempts beyond the first (another target after a connect failure). */
  retries = 0;
  /** The KW_ERR_* code the client got, when the answer was an error. */
  errorCode: string | undefined = undefined;
  /** W3C trace id of this call (set when trace propagation is on). */
  traceId: string | undefined = undefined;
  /** Model, provider, tokens and cost of an AI call, left here by the provider adapter. */
  usage: AiUsage | undefined = undefined;
  /**
   * What the limit plugins counted for this request (src/limits/limit-headers.ts), for the RateLimit
   * headers; `limitsWritten` once they went out. A field, not `state`: every limited request has one.
   */
  limits: LimitEntry[] | undefined = undefined;
  limitsWritten = false;
  /**
   * Set while an upstream exchange is in flight (forward.ts): what to do if the client goes away first.
   * The request's one `close` listener (handler.ts) calls it; a listener per exchange cost an allocation,
   * a once-wrapper and a removal on every request.
   */
  onClientGone: (() => void) | undefined = undefined;
  /** The upstream exchange in flight (forward.ts), for a client that runs out of time to drop it. */
  exchange: { abort(err: Error): void } | undefined = undefined;
  /** Body taps and exported-span ids of an observed call (src/observe), when capture or tracing is on. */
  observation: { taps: CallTaps | undefined; spanIds: TraceIds | undefined } | undefined = undefined;
  private stateMap: Map<string, unknown> | undefined = undefined;
  /** True once the request is answered (headers out, or about to be: `respond`); the phases stop. */
  responded = false;

  constructor(init: {
    req: IncomingMessage;
    res: ServerResponse;
    requestId: string;
    startedAt: bigint;
    clientIp: string;
    route: CompiledRoute;
    params: Record<string, string | undefined>;
    upstreamPath: string;
    upstreamQuery: string;
    upstreamHeaders: Record<string, string | string[] | undefined>;
  }) {
    this.req = init.req;
    this.res = init.res;
    this.requestId = init.requestId;
    this.startedAt = init.startedAt;
    this.clientIp = init.clientIp;
    this.route = init.route;
    this.params = init.params;
    this.upstreamPath = init.upstreamPath;
    this.upstreamQuery = init.upstreamQuery;
    this.upstreamHeaders = init.upstreamHeaders;
  }

  /** Free-form state shared between plugins of one request (made on first use: most requests need none). */
  get state(): Map<string, unknown> {
    return (this.stateMap ??= new Map());
  }

  /** Called by an auth plugin that saw no credential of its kind on this request. */
  credentialMissing(challenge: string, anonymous?: Identity): void {
    if (this.auth === undefined) this.auth = { challenges: [challenge], anonymous };
    else {
      this.auth.challenges.push(challenge);
      this.auth.anonymous ??= anonymous;
    }
  }

  /**
   * Answers the client directly (short-circuits the remaining phases up to `respond`). Recorded here and
   * written by the pipeline when the handler returns, through the respond phase (src/proxy/reply.ts).
   */
  respond(status: number, headers: OutgoingHttpHeaders, body?: string | Buffer): void {
    this.response = { status, headers: { ...headers }, body };
    this.responded = true;
  }
}

/**
 * The proxy listeners' response class (`http.createServer({ ServerResponse })`): one field more, so a
 * connection that times out finds its request's context without a lookup on every request.
 */
export class ProxyResponse extends ServerResponse {
  /** Set by the handler once the request is routed. */
  ctx: RequestContext | undefined = undefined;
}
