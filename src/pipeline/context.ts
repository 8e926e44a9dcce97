/**
 * The per-request state that flows through the pipeline phases. One object per request, created by the
 * proxy handler; plugins read and write it. Kept as a plain class with fixed fields so V8 keeps one shape.
 * Below it, the compiled route the request runs on and the handler signatures of its phases.
 */
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { KeywayError } from '../core/errors.js';
import type { Plan, Route, Service, Upstream } from '../model/index.js';
import type { Balancer } from './balancer.js';
import type { RetryPolicy, ServiceState } from './service-state.js';
import type { AccessDecision, AiUsage, LimitEntry } from './facts.js';
import type { Identity } from './identity.js';

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
   * The plan of the caller's approved subscription to the route's service, left by the subscription check
   * (src/snapshot/subscription-gate.ts) for the limit plugins: key tier > subscription > app > consumer.
   */
  subscriptionPlan: Plan | undefined = undefined;
  /**
   * The caller's subscription to the route's service, whatever its status (attribute rules read it as
   * `subscription`); left by the subscription check, one frozen object per subscription and snapshot.
   */
  subscription: Readonly<{ service: string; status: string; plan: string }> | undefined = undefined;
  /** What the authorize phase refused, or would have refused in shadow mode, for the call record. */
  decisions: AccessDecision[] | undefined = undefined;
  /**
   * Set while an upstream exchange is in flight (src/proxy/forward.ts): what to do if the client goes away first.
   * The request's one `close` listener (src/proxy/handler.ts) calls it; a listener per exchange cost an allocation,
   * a once-wrapper and a removal on every request.
   */
  onClientGone: (() => void) | undefined = undefined;
  /** The upstream exchange in flight (src/proxy/forward.ts), for a client that runs out of time to drop it. */
  exchange: { abort(err: Error): void } | undefined = undefined;
  /**
   * What the call observer keeps for this call while it runs (body taps, exported-span ids), when capture
   * or tracing is on. Opaque here: only src/observe/call-observer.ts reads and writes it.
   */
  observation: object | undefined = undefined;
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
   * written by the pipeline when the handler returns, through the respond phase (src/pipeline/reply.ts).
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

// The route a request runs on, and the handlers its phases hold: declared here, beside the context they
// take, because the two refer to each other.

export type PhaseHandler = (ctx: RequestContext) => void | Promise<void>;

export interface PluginHandlers {
  identify?: PhaseHandler;
  authorize?: PhaseHandler;
  limit?: PhaseHandler;
  transform?: PhaseHandler;
  /** Replaces forwarding: the handler must answer through `ctx.respond`. */
  proxy?: PhaseHandler;
  /**
   * For a plugin that answers the route itself (`proxy`): the body of every error answered on the route,
   * by any plugin or the pipeline (a 401 of key-auth, a 429 of rate-limit), for clients that parse their
   * own API's error format — the AI endpoints answer in the OpenAI and Anthropic SDKs' shapes. The status,
   * headers (Retry-After, WWW-Authenticate) and `KW_ERR_*` code stay the error's; it may add headers with
   * `ctx.res.setHeader` (the AI routes' `x-should-retry`). Absent: Keyway's shape.
   */
  errorBody?: (ctx: RequestContext, err: KeywayError) => unknown;
  /**
   * Runs before the head of every answer on the route goes out — the upstream's, a plugin's, the AI
   * gateway's, an error (pipeline/reply.ts): edit `ctx.response.headers`.
   */
  respond?: (ctx: RequestContext) => void;
  /** Runs after the response finished. Must not throw or block. */
  log?: (ctx: RequestContext) => void;
  /**
   * Work to finish before the snapshot serves (loading tables that would block the event loop on the
   * first request instead); the node waits for it before swapping the snapshot in. Not run by config
   * checks, which compile plugins without serving them.
   */
  prepare?: () => Promise<void>;
  /**
   * For an auth plugin: the scopes it requires of the credential it accepts (`required_scopes`), checked in
   * its `identify`; declared here too so `keyway explain` can tell whether a caller holds them.
   */
  requiredScopes?: readonly string[];
  /** Releases what `create` acquired (timers, pools) when the snapshot is retired. */
  close?: () => void | Promise<void>;
}

/**
 * A service and a route of the compiled, immutable configuration the data plane serves from
 * (src/snapshot/compile.ts builds it from a `ConfigState`; swapped atomically when the configuration
 * changes). Nothing in here is mutated after compile (counters for load balancing live in the balancer
 * objects, not in the config).
 */
export interface CompiledService {
  workspace: string;
  name: string;
  id: string;
  def: Readonly<
    Required<Omit<Service, 'description' | 'tags' | 'retry' | 'circuit_breaker'>> &
      Pick<Service, 'retry' | 'circuit_breaker'>
  >;
  protocol: 'http:' | 'https:';
  /** Base path from the service URL, without trailing slash ('' for none). */
  basePath: string;
  /** Host header sent upstream unless the route preserves the client's. */
  hostHeader: string;
  /** Upstream name when the URL's host names one, for logs and errors. */
  upstream: string | undefined;
  balancer: Balancer;
  /** Connection pools, shared by services with the same connect settings and kept across snapshots. */
  dispatcher: Dispatcher;
  /** An `ai://` service: its routes are answered by the ai-proxy plugin, never forwarded. */
  ai: boolean;
  /** The node's state of the service (its breaker, its retry budget), kept across snapshots. */
  state: ServiceState;
  /** The retry policy with its defaults. */
  retry: RetryPolicy;
  /** What `consistent-hashing` hashes; undefined for the other algorithms. */
  hashOn: NonNullable<Upstream['hash_on']> | undefined;
  /**
   * True when answers must be counted (passive health, a breaker): the proxy skips the counting
   * otherwise, so a service without them pays nothing for them.
   */
  counted: boolean;
  /** What an open breaker answers instead of 503 KW_ERR_CIRCUIT_OPEN. */
  fallback: NonNullable<Service['circuit_breaker']>['fallback'];
}

export interface CompiledRoute {
  workspace: string;
  id: string;
  name: string;
  def: Readonly<Route>;
  service: CompiledService;
  /** Plugin handlers for this route per phase, most specific config per plugin name, ordered by priority. */
  phases: RoutePhases;
  /** Consumer-scoped plugin overrides: consumer id → phases to use once that consumer is identified. */
  consumerPhases: ReadonlyMap<string, RoutePhases> | undefined;
  /**
   * The path template of `def.paths` a request path matched (`http.route` of its span); absent for a route
   * without paths. Asked only when a span is built, never on the routing path.
   */
  httpRoute?: ((path: string) => string) | undefined;
}

export interface RoutePhases {
  identify: NonNullable<PluginHandlers['identify']>[];
  authorize: NonNullable<PluginHandlers['authorize']>[];
  limit: NonNullable<PluginHandlers['limit']>[];
  transform: NonNullable<PluginHandlers['transform']>[];
  proxy: NonNullable<PluginHandlers['proxy']>[];
  respond: NonNullable<PluginHandlers['respond']>[];
  log: NonNullable<PluginHandlers['log']>[];
  /** How errors on the route are shaped (the plugin that answers the route says; see PluginHandlers). */
  errorBody: PluginHandlers['errorBody'];
  /** The plugins these phases come from, by priority (`keyway explain`: what applies to the route). */
  plugins: readonly string[];
  /** The plugin of each `authorize` handler, by index (`keyway explain` names each check's outcome). */
  authorizeBy: readonly string[];
  /** The auth plugins that require scopes, and which (`keyway explain`). */
  requiredScopes: ReadonlyArray<{ plugin: string; scopes: readonly string[] }>;
  /** True when every list is empty: the hot path skips the pipeline machinery. */
  empty: boolean;
}
