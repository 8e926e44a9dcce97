/**
 * Forwards one request to a target through undici's low-level `dispatch` and streams the answer back.
 *
 * `dispatch` with a handler object is used instead of `request()`/`stream()`: no intermediate Readable,
 * no promise per request, and back-pressure is explicit — when the client socket is full the upstream
 * read is paused (`controller.pause()`), so a 1 GiB download never sits in memory. The request body is
 * the client's IncomingMessage itself, which undici reads with back-pressure too.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { errors as undiciErrors, type Dispatcher } from 'undici';
import { KeywayError } from '../core/errors.js';
import type { BalancedTarget } from '../pipeline/balancer.js';
import type { RequestContext } from '../pipeline/context.js';
import { upstreamFailed } from '../pipeline/diagnostics.js';
import { ClientGoneError, ExchangeGuard } from '../pipeline/exchange-guard.js';
import { reply, replyError, replyHead } from '../pipeline/reply.js';
import { hashKey } from './hash-key.js';
import { clientResponseHeaders } from './headers.js';
import { retryAfterMs } from './retry-after.js';
import { accountStreamed, accountedBody } from './memory-governor.js';

/** Connection-level failures where nothing reached the target: safe to try another one. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/**
 * The connection closed or reset before any answer. On a pooled keep-alive connection that is, most often,
 * the upstream closing it as idle just as the request went out (it cannot know one is on its way): an
 * idempotent request (RFC 9110 §9.2.2) is then sent once more, on a fresh connection, as Go's Transport and
 * nginx's `proxy_next_upstream error` do.
 */
const CONNECTION_LOST = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** Answers that are not HTTP, or break it (undici's HTTPParserError has no code: it is told by its class). */
const BAD_RESPONSE = new Set([
  'UND_ERR_HEADERS_OVERFLOW',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_INFO',
]);
const TIMEOUTS = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'KW_TOTAL_TIMEOUT',
]);

export function forward(
  ctx: RequestContext,
  attempt = 0,
  failed?: Set<BalancedTarget>,
  /** This attempt repeats one whose connection was lost before any answer (CONNECTION_LOST). */
  resent = false,
): void {
  const svc = ctx.route.service;
  if (attempt === 0) {
    svc.state.budget.requests++;
    const breaker = svc.state.breaker;
    if (breaker !== undefined && !breaker.allow()) {
      circuitOpen(ctx);
      return;
    }
  }
  const target = svc.balancer.pick(failed, svc.hashOn === undefined ? undefined : hashKey(ctx, svc.hashOn));
  if (target === undefined) {
    if (svc.balancer.allOpen()) circuitOpen(ctx);
    else replyError(ctx, new KeywayError('KW_ERR_NO_TARGET', { upstream: svc.upstream ?? svc.name }));
    // The service's breaker let this request through: it must hear how it ended.
    serviceOutcome(ctx, true);
    return;
  }
  const req = ctx.req;
  const headers = ctx.upstreamHeaders;
  headers['host'] =
    ctx.route.def.preserve_host === true && req.headers.host !== undefined
      ? req.headers.host
      : svc.upstream !== undefined
        ? target.address
        : svc.hostHeader;
  const length = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  const hasBody = length !== undefined || chunked;
  // Bodies above one memory-governor step are streamed through a counting iterator; the rest as they are.
  const large = chunked || (length !== undefined && length.length > 6);
  target.state.active++;
  ctx.target = target.address;
  if (attempt === 0) ctx.upstreamStartedAt = process.hrtime.bigint();
  else ctx.retries = attempt;
  const handler = new ForwardHandler(ctx, target, attempt, failed, resent);
  svc.dispatcher.dispatch(
    {
      origin: target.origin,
      path: ctx.upstreamPath + ctx.upstreamQuery,
      method: req.method as Dispatcher.HttpMethod,
      headers: headers as IncomingHttpHeaders,
      // undici reads async iterables as bodies (lib/core/request.js); its typings only list Readable.
      body: hasBody ? (large ? (accountedBody(req, ctx) as unknown as Readable) : req) : null,
      headersTimeout: svc.def.read_timeout_ms,
      bodyTimeout: svc.def.read_timeout_ms,
    },
    handler,
  );
}

/**
 * Every target's breaker, or the service's, refuses: the configured fallback answer, or 503
 * KW_ERR_CIRCUIT_OPEN — at once, without opening a connection.
 */
function circuitOpen(ctx: RequestContext): void {
  const svc = ctx.route.service;
  ctx.errorCode = 'KW_ERR_CIRCUIT_OPEN';
  const fb = svc.fallback;
  if (fb === undefined) {
    replyError(ctx, new KeywayError('KW_ERR_CIRCUIT_OPEN', { service: svc.name }));
    return;
  }
  reply(ctx, fb.status, { ...fb.headers }, fb.body ?? '');
}

/** The service's own breaker hears how a request it let through ended (its last attempt). */
function serviceOutcome(ctx: RequestContext, failed: boolean): void {
  const breaker = ctx.route.service.state.breaker;
  if (breaker === undefined) return;
  if (failed) breaker.failure();
  else breaker.success();
}

/** Waits `ms` (0: not at all), then makes attempt `attempt`, unless the request was answered meanwhile. */
function retryAfter(
  ctx: RequestContext,
  ms: number,
  attempt: number,
  failed: Set<BalancedTarget> | undefined,
) {
  const go = (): void => {
    // Abandoned while waiting (the client left, its deadline answered 408): nothing more to send.
    if (ctx.res.destroyed || ctx.res.headersSent || ctx.responded) return;
    forward(ctx, attempt, failed);
  };
  if (ms <= 0) go();
  else setTimeout(go, ms);
}

/**
 * The client ran out of time sending its request (a stalled body, the request deadline): answer with `err`
 * (408) — or cut the connection, if an answer has started — and drop the upstream exchange. Its connection
 * goes with it: it carries a request body that will never be complete.
 */
export function abandonRequest(ctx: RequestContext, err: KeywayError): void {
  const res = ctx.res;
  if (!res.headersSent) res.shouldKeepAlive = false;
  if (ctx.exchange !== undefined) ctx.exchange.abort(err);
  else answerAbandoned(ctx, err);
}

/** The 408 of an abandoned request, or a cut connection when an answer has already started. */
function answerAbandoned(ctx: RequestContext, err: KeywayError): void {
  const res = ctx.res;
  if (res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  replyError(ctx, err);
}

/** One attempt's exchange, and its guard: the service's total timeout and the client leaving cut it. */
class ForwardHandler extends ExchangeGuard implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  /** An abort asked for before undici handed over the controller. */
  private pendingAbort: Error | undefined;
  private finished = false;
  /** This answer's status is to be retried: its body is read and dropped, then the next attempt goes. */
  private discarding = false;
  private retryDelayMs = 0;
  /** An answer arrived on this attempt (passive health and the breaker counted it). */
  private answered = false;
  /**
   * Resumes the upstream once the client's socket drained: made the first time the client falls behind,
   * which a small answer never does (a closure made and a `drain` listener removed on every request was
   * measurable in bench `keyway`'s allocation and instruction counts).
   */
  private onDrain: (() => void) | undefined = undefined;

  constructor(
    private readonly ctx: RequestContext,
    private readonly target: BalancedTarget,
    private readonly attempt: number,
    private readonly failed: Set<BalancedTarget> | undefined,
    private readonly resent: boolean,
  ) {
    super(ctx.route.service.def.timeout_ms);
    ctx.onClientGone = this.clientGone;
    ctx.exchange = this;
  }

  protected override cut(err: Error): void {
    this.controller?.abort(err);
  }

  protected override stillWanted(): boolean {
    return !this.finished && !this.ctx.res.writableFinished;
  }

  abort(err: Error): void {
    if (this.controller !== undefined) this.controller.abort(err);
    else this.pendingAbort = err;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort !== undefined) controller.abort(this.pendingAbort);
    else if (this.ctx.res.destroyed) controller.abort(new ClientGoneError());
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    // 1xx informational answers are for this hop only; Node answers the client's Expect itself.
    if (statusCode < 200) return;
    const ctx = this.ctx;
    const svc = ctx.route.service;
    this.answered = true;
    if (svc.counted) this.target.state.answered(statusCode);
    if (svc.retry.statuses.length > 0 && svc.retry.statuses.includes(statusCode) && this.mayRetry(headers)) {
      this.discarding = true;
      return;
    }
    const breaker = svc.state.breaker;
    if (breaker !== undefined) serviceOutcome(ctx, breaker.policy.statuses.includes(statusCode));
    ctx.upstreamStatus = statusCode;
    replyHead(ctx, statusCode, clientResponseHeaders(headers), statusMessage);
  }

  /**
   * May this answer be retried? Only an idempotent request whose body nothing read (RFC 9110 §9.2.2: a
   * POST may have done its work), with attempts and retry budget left, and a Retry-After within the cap.
   * Sets the delay before the next attempt.
   */
  private mayRetry(headers: IncomingHttpHeaders): boolean {
    const ctx = this.ctx;
    const svc = ctx.route.service;
    if (this.attempt >= svc.def.retries || !IDEMPOTENT.has(ctx.req.method ?? '') || ctx.req.readableDidRead) {
      return false;
    }
    const after = retryAfterMs(headers['retry-after'], Date.now());
    if (after !== undefined && after > svc.retry.retry_after_max_ms) return false;
    if (!svc.state.budget.take()) return false;
    this.retryDelayMs = Math.max(after ?? 0, svc.state.budget.backoff(this.attempt + 1));
    return true;
  }

  /** The dropped answer is read to its end (its connection stays pooled): the next attempt goes. */
  private retryNow(): void {
    const ctx = this.ctx;
    const svc = ctx.route.service;
    let failed = this.failed ?? new Set<BalancedTarget>();
    failed.add(this.target);
    // Every target failed this request: any may be tried again (after the backoff).
    if (failed.size >= svc.balancer.targets.length) failed = new Set();
    retryAfter(ctx, this.retryDelayMs, this.attempt + 1, failed);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.discarding) return;
    accountStreamed(chunk.length);
    this.ctx.bytesOut += chunk.length;
    if (!this.ctx.res.write(chunk)) {
      controller.pause();
      this.onDrain ??= () => this.controller?.resume();
      this.ctx.res.once('drain', this.onDrain);
    }
  }

  onResponseEnd(): void {
    this.done();
    if (this.discarding) this.retryNow();
    else this.ctx.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.done();
    const ctx = this.ctx;
    const code = (err as { code?: string }).code ?? '';
    if (code === 'KW_CLIENT_GONE') return;
    if (err instanceof KeywayError) {
      // abandonRequest: the client's fault, not the upstream's — nothing to log, nothing to retry.
      answerAbandoned(ctx, err);
      return;
    }
    const svc = ctx.route.service;
    if (this.discarding) {
      // The answer to retry broke off while it was dropped: retry all the same.
      this.retryNow();
      return;
    }
    if (svc.counted && !this.answered) this.target.state.failed(TIMEOUTS.has(code));
    if (ctx.res.headersSent) {
      upstreamFailed(ctx, this.target.address, err);
      ctx.res.destroy();
      return;
    }
    if (
      CONNECTION_LOST.has(code) &&
      !this.resent &&
      ctx.upstreamStatus === 0 &&
      IDEMPOTENT.has(ctx.req.method ?? '') &&
      !ctx.req.readableDidRead
    ) {
      upstreamFailed(ctx, this.target.address, err);
      forward(ctx, this.attempt + 1, this.failed, true);
      return;
    }
    if (
      NOT_SENT.has(code) &&
      this.attempt < svc.def.retries &&
      !ctx.req.readableDidRead &&
      svc.balancer.targets.length > 1
    ) {
      const failed = this.failed ?? new Set<BalancedTarget>();
      failed.add(this.target);
      if (failed.size < svc.balancer.targets.length) {
        upstreamFailed(ctx, this.target.address, err);
        forward(ctx, this.attempt + 1, failed);
        return;
      }
    }
    upstreamFailed(ctx, this.target.address, err);
    serviceOutcome(ctx, true);
    const timeout =
      code === 'UND_ERR_CONNECT_TIMEOUT'
        ? `${svc.def.connect_timeout_ms} ms (connect)`
        : code === 'KW_TOTAL_TIMEOUT'
          ? `${svc.def.timeout_ms} ms`
          : `${svc.def.read_timeout_ms} ms`;
    const kwErr = TIMEOUTS.has(code)
      ? new KeywayError('KW_ERR_UPSTREAM_TIMEOUT', { timeout })
      : err instanceof undiciErrors.HTTPParserError || code.startsWith('HPE_') || BAD_RESPONSE.has(code)
        ? new KeywayError('KW_ERR_UPSTREAM_BAD_RESPONSE')
        : new KeywayError('KW_ERR_UPSTREAM_UNAVAILABLE');
    replyError(ctx, kwErr);
  }

  private done(): void {
    if (this.finished) return;
    this.finished = true;
    this.ctx.upstreamEndedAt = process.hrtime.bigint();
    this.target.state.active--;
    this.disarm();
    if (this.ctx.onClientGone === this.clientGone) this.ctx.onClientGone = undefined;
    if (this.ctx.exchange === this) this.ctx.exchange = undefined;
    if (this.onDrain !== undefined) this.ctx.res.off('drain', this.onDrain);
  }
}
