/**
 * The data plane's side of observability: one call record and the metrics of every call, taken when the
 * response closes (after the last byte, or when the client went away), whatever answered — the upstream,
 * a plugin, or an error before any route matched.
 *
 * What it costs per call (bench `keyway-logging` against `keyway`): one `close` listener, a handful of
 * `hrtime` reads and field stores made by the handler, the fields of one record object (the same object
 * for every call) copied into the open batch, and the per-route metric series. Everything else (writing,
 * rollups) happens on the record thread.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../pipeline/context.js';
import type { AccessDecision } from '../pipeline/facts.js';
import type { AuthReasons } from './auth-reasons.js';
import type { CallRecord } from './records/call-record.js';
import type { CallCapture, CallTaps } from './capture.js';
import type { ProxyMetrics } from './metrics.js';
import type { RecordIntake } from './records/record-buffer.js';
import { callSpans } from './otel/call-spans.js';
import type { CallTracing } from './otel/otel-tracing.js';
import { propagateTrace, publishSpan, spanChannel, type TraceIds } from './trace-context.js';

/** Status recorded for a call whose client left before any status line was sent (nginx's convention). */
export const CLIENT_CLOSED = 499;

/** What `track` leaves on a call's context (`ctx.observation`, opaque to the pipeline) for `finish`. */
interface Observation {
  taps: CallTaps | undefined;
  spanIds: TraceIds | undefined;
}

const AUTH_CODES = new Set(['KW_ERR_AUTH_MISSING', 'KW_ERR_AUTH_INVALID', 'KW_ERR_FORBIDDEN']);

/** What a parser refusal leaves for its call record. */
export interface ParserRefusal {
  requestId: string;
  clientIp: string;
  /** '' when the request line was not read. */
  method: string;
  path: string;
  status: number;
  code: string;
}

export interface CallObserverParts {
  /** Where records go; absent when records are off (metrics only). */
  records: RecordIntake | undefined;
  metrics: ProxyMetrics | undefined;
  reasons: AuthReasons;
  capture: CallCapture | undefined;
  trace: boolean;
  /** OpenTelemetry spans (off unless KEYWAY_OTEL_ENDPOINT is set; needs `trace`). */
  tracing?: CallTracing | undefined;
}

export class CallObserver {
  private readonly records: RecordIntake | undefined;
  private readonly metrics: ProxyMetrics | undefined;
  /**
   * The record of the call being finished, filled afresh for every call and copied by the intake: one
   * object with one shape for the node's life instead of a 31-field literal per call.
   */
  private readonly r: CallRecord = {
    ...EMPTY,
    at: 0,
    request_id: '',
    client_ip: '',
    method: '',
    path: '',
    status: 0,
  };

  constructor(private readonly parts: CallObserverParts) {
    this.records = parts.records;
    this.metrics = parts.metrics;
  }

  /**
   * A routed request, before its phases run: starts the trace (and decides whether its spans are exported)
   * and taps the bodies of a route that captures them. The handler calls `finish` when the response closes.
   */
  track(ctx: RequestContext): void {
    let spanIds: TraceIds | undefined;
    if (this.parts.trace) {
      const ids = propagateTrace(ctx.upstreamHeaders);
      ctx.traceId = ids.traceId;
      if (this.parts.tracing?.sample(ids, ctx.upstreamHeaders) === true) spanIds = ids;
    }
    const taps = this.parts.capture?.start(ctx);
    if (taps !== undefined || spanIds !== undefined)
      ctx.observation = { taps, spanIds } satisfies Observation;
  }

  /** A request answered by the handler before a route matched (400, 404, 414, 431, 503 not ready). */
  refused(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    startedAt: bigint,
    code: string,
  ): void {
    res.once('close', () => {
      const latency = millis(process.hrtime.bigint() - startedAt);
      const status = res.headersSent ? res.statusCode : CLIENT_CLOSED;
      this.metrics?.unroutedRequest(status);
      const records = this.records;
      if (records === undefined) return;
      const r = Object.assign(this.r, EMPTY);
      r.at = Date.now() - Math.round(latency);
      r.request_id = requestId;
      r.client_ip = req.socket.remoteAddress ?? '';
      r.method = req.method ?? '';
      r.path = pathOf(req.url);
      r.status = status;
      r.latency_ms = latency;
      r.gateway_ms = latency;
      r.bytes_in = contentLength(req.headers['content-length']);
      r.bytes_out = numberOf(res.getHeader('content-length'));
      r.error_code = code;
      records.push(r);
    });
  }

  /**
   * A request the HTTP parser refused (400 malformed, 408 too slow, 414, 431) before any request object
   * existed: only what the connection told — the peer, and the method and path if the request line was read.
   */
  refusedByParser(r: ParserRefusal): void {
    this.metrics?.unroutedRequest(r.status);
    const records = this.records;
    if (records === undefined) return;
    const rec = Object.assign(this.r, EMPTY);
    rec.at = Date.now();
    rec.request_id = r.requestId;
    rec.client_ip = r.clientIp;
    rec.method = r.method;
    rec.path = pathOf(r.path);
    rec.status = r.status;
    rec.error_code = r.code;
    records.push(rec);
  }

  upstreamFailed(workspace: string, service: string, target: string, code: string): void {
    this.metrics?.upstreamFailed(workspace, service, target, code);
  }

  /** The response of a tracked call closed (after the last byte, or when the client went away). */
  finish(ctx: RequestContext): void {
    const observation = ctx.observation as Observation | undefined;
    const taps = observation?.taps;
    const spanIds = observation?.spanIds;
    const end = process.hrtime.bigint();
    const latency = millis(end - ctx.startedAt);
    const upstreamMs =
      ctx.upstreamStartedAt === 0n
        ? -1
        : millis((ctx.upstreamEndedAt === 0n ? end : ctx.upstreamEndedAt) - ctx.upstreamStartedAt);
    const res = ctx.res;
    const status = res.headersSent ? res.statusCode : CLIENT_CLOSED;
    // Chunked bodies have no Content-Length: the proxy counted them as they streamed.
    const bytesIn =
      contentLength(ctx.req.headers['content-length']) ?? (ctx.bytesIn > 0 ? ctx.bytesIn : null);
    const bytesOut = ctx.bytesOut > 0 ? ctx.bytesOut : numberOf(res.getHeader('content-length'));
    const route = ctx.route;
    const code = ctx.errorCode;

    let auth = 'none';
    let authReason: string | null = null;
    // Taken for every call (a size check when nothing was refused) so that no entry outlives its call.
    const rejected = this.parts.reasons.take(ctx.requestId);
    if (code !== undefined && AUTH_CODES.has(code)) {
      auth = 'denied';
      authReason =
        rejected?.reason ??
        (code === 'KW_ERR_AUTH_MISSING' ? 'missing' : code === 'KW_ERR_FORBIDDEN' ? 'forbidden' : 'invalid');
    } else if (rejected !== undefined && code === 'KW_ERR_RATE_LIMITED') {
      // A refused key answered 429: its IP is over key-auth's bad-key budget.
      auth = 'denied';
      authReason = rejected.reason;
    } else if (ctx.identity !== undefined) {
      auth = ctx.auth?.anonymous === ctx.identity ? 'anonymous' : 'ok';
    }

    const metrics = this.metrics;
    if (metrics !== undefined) {
      const consumer = metrics.observe(
        route,
        status,
        latency,
        upstreamMs,
        bytesIn ?? 0,
        bytesOut ?? 0,
        ctx.identity?.consumerName,
      );
      if (status === 429) metrics.rateLimited(route, code ?? 'upstream', consumer);
      if (authReason !== null) metrics.authFailed(route, authReason);
      const decisions = ctx.decisions;
      if (decisions !== undefined) for (const d of decisions) metrics.accessDecided(route, d.check, d.effect);
      if (ctx.usage !== undefined) metrics.aiUsed(route.workspace, ctx.usage, consumer);
    }
    // The span event is built only for a subscriber (a closure per call was measurable otherwise).
    if (ctx.traceId !== undefined && spanChannel.hasSubscribers) publishSpanOf(ctx, latency, status);
    if (spanIds !== undefined) this.parts.tracing?.record(callSpans(ctx, spanIds, end, status));
    const records = this.records;
    if (records === undefined) return;

    const id = ctx.identity;
    const usage = ctx.usage;
    const limitHeader = ctx.response?.headers['ratelimit'];
    const capture = this.parts.capture;
    // Field by field into the one record object (see `r`): the intake copies them before the next call.
    const r = this.r;
    r.at = Date.now() - Math.round(latency);
    r.request_id = ctx.requestId;
    r.workspace = route.workspace;
    r.service = route.service.name;
    r.route = route.name;
    r.consumer = id?.consumerName ?? null;
    r.app = id === undefined ? null : (id.appName ?? id.appId ?? null);
    // A refused key the store knows (expired, revoked) is recorded by its id: support can tell which.
    r.credential = id?.credentialId ?? rejected?.credentialId ?? null;
    r.client_ip = ctx.clientIp;
    r.method = ctx.req.method ?? '';
    r.path = pathOf(ctx.req.url);
    r.status = status;
    r.upstream_status = ctx.upstreamStatus === 0 ? null : ctx.upstreamStatus;
    r.target = ctx.target ?? null;
    r.latency_ms = latency;
    r.gateway_ms = upstreamMs < 0 ? latency : Math.max(0, Math.round((latency - upstreamMs) * 1000) / 1000);
    r.upstream_ms = upstreamMs < 0 ? null : upstreamMs;
    r.bytes_in = bytesIn;
    r.bytes_out = bytesOut;
    r.auth = auth;
    r.auth_reason = authReason;
    r.error_code = code ?? null;
    r.retries = ctx.retries;
    r.trace_id = ctx.traceId ?? null;
    r.rate_limit = typeof limitHeader === 'string' ? limitHeader : status === 429 ? 'exceeded' : null;
    r.model = usage?.model ?? null;
    r.provider = usage?.provider ?? null;
    r.tokens_in = usage?.tokensIn ?? null;
    r.tokens_out = usage?.tokensOut ?? null;
    r.cost = usage?.cost ?? null;
    r.capture = capture === undefined ? null : capture.record(ctx, taps, records.length);
    r.access = ctx.decisions === undefined ? null : accessText(ctx.decisions);
    records.push(r);
  }
}

/** The record's `access` column: each decision as `<effect> <check>: <reason>`. */
function accessText(decisions: readonly AccessDecision[]): string {
  return decisions.map((d) => `${d.effect} ${d.check}: ${d.reason}`).join('; ');
}

function publishSpanOf(ctx: RequestContext, latency: number, status: number): void {
  publishSpan(() => ({
    traceId: ctx.traceId ?? '',
    spanId: /^00-[0-9a-f]{32}-([0-9a-f]{16})/.exec(String(ctx.upstreamHeaders['traceparent']))?.[1] ?? '',
    parentId: undefined,
    name: `${ctx.req.method ?? ''} ${ctx.route.name}`,
    startMs: Date.now() - latency,
    durationMs: latency,
    status,
    attributes: {
      'keyway.route': ctx.route.name,
      'keyway.service': ctx.route.service.name,
      'http.response.status_code': status,
      'keyway.request_id': ctx.requestId,
    },
  }));
}

const EMPTY: Omit<CallRecord, 'at' | 'request_id' | 'client_ip' | 'method' | 'path' | 'status'> = {
  workspace: null,
  service: null,
  route: null,
  consumer: null,
  app: null,
  credential: null,
  upstream_status: null,
  target: null,
  latency_ms: 0,
  gateway_ms: 0,
  upstream_ms: null,
  bytes_in: null,
  bytes_out: null,
  auth: 'none',
  auth_reason: null,
  error_code: null,
  retries: 0,
  trace_id: null,
  rate_limit: null,
  model: null,
  provider: null,
  tokens_in: null,
  tokens_out: null,
  cost: null,
  capture: null,
  access: null,
};

/**
 * Nanoseconds as milliseconds to the microsecond: finer than any network latency, and what lets a stored
 * block keep latencies as integers (store/block-codec.ts) instead of full doubles.
 */
function millis(ns: bigint): number {
  return Math.round(Number(ns) / 1000) / 1000;
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  const p = q === -1 ? u : u.slice(0, q);
  return p.length > 2048 ? p.slice(0, 2048) : p;
}

function contentLength(v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function numberOf(v: number | string | string[] | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return contentLength(v);
  return null;
}
