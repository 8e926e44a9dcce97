/**
 * The data plane's request handler: what comes before routing — the request id, the size limits, the
 * Host field and the request target — then the pipeline (phases.ts: route, the plugin phases, forward,
 * respond, log).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KeywayError } from '../core/errors.js';
import { randomUuid } from '../core/random-id.js';
import type { CallObserver } from '../observe/call-observer.js';
import type { Snapshot } from '../snapshot/compile.js';
import { acceptableRequestId, type TrustedProxies } from './headers.js';
import { refused, routeRequest, type PipelineEnv } from './phases.js';

export interface HandlerOptions {
  snapshot(): Snapshot | undefined;
  trusted: TrustedProxies;
  maxUriBytes: number;
  maxHeaderBytes: number;
  /** Call records, metrics and trace propagation (src/observe); absent when all are off. */
  observer?: CallObserver | undefined;
}

export function createProxyHandler(opts: HandlerOptions, proto: 'http' | 'https') {
  const { maxUriBytes, maxHeaderBytes, observer } = opts;
  const env: PipelineEnv = { trusted: opts.trusted, proto, observer };

  return function keywayProxy(req: IncomingMessage, res: ServerResponse): void {
    const startedAt = process.hrtime.bigint();
    const incomingId = req.headers['x-request-id'];
    const requestId = acceptableRequestId(incomingId) ? incomingId : randomUuid();
    const url = req.url ?? '/';
    const malformed = refusalBeforeRouting(req, url, maxUriBytes, maxHeaderBytes);
    if (malformed !== undefined) return refused(observer, req, res, requestId, startedAt, malformed);
    const snapshot = opts.snapshot();
    if (snapshot === undefined)
      return refused(
        observer,
        req,
        res,
        requestId,
        startedAt,
        new KeywayError('KW_ERR_NOT_READY', { reason: 'configuration not loaded yet' }),
      );
    routeRequest(env, snapshot, req, res, requestId, startedAt, url);
  };
}

/** `headerBlockBytes` of a block with two Host fields. */
/** What is wrong with the request before it is routed (size limits, Host, request target), if anything. */
function refusalBeforeRouting(
  req: IncomingMessage,
  url: string,
  maxUriBytes: number,
  maxHeaderBytes: number,
): KeywayError | undefined {
  if (url.length > maxUriBytes) return new KeywayError('KW_ERR_URI_TOO_LONG', { limit: maxUriBytes });
  const block = headerBlockBytes(req.rawHeaders);
  if (block > maxHeaderBytes) return new KeywayError('KW_ERR_HEADERS_TOO_LARGE', { limit: maxHeaderBytes });
  const hostProblem = block === TWO_HOSTS ? 'more than one Host header' : checkHost(req);
  if (hostProblem !== undefined) return new KeywayError('KW_ERR_BAD_REQUEST', { reason: hostProblem });
  if (url.charCodeAt(0) !== 47 /* '/' */)
    return new KeywayError('KW_ERR_BAD_REQUEST', { reason: 'request target must be an absolute path' });
  return undefined;
}

const TWO_HOSTS = -1;

/** Size of the header block, or TWO_HOSTS: Node keeps the first of duplicate Host fields and drops the rest. */
function headerBlockBytes(raw: string[]): number {
  let n = 0;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    n += name.length + (raw[i + 1]?.length ?? 0) + 4;
    if (name.length === 4 && isHost(name)) hosts++;
  }
  return hosts > 1 ? TWO_HOSTS : n;
}

/** `host` in any case, without the string `toLowerCase` would allocate for `Host` on every request. */
function isHost(name: string): boolean {
  return (
    (name.charCodeAt(0) | 32) === 104 &&
    (name.charCodeAt(1) | 32) === 111 &&
    (name.charCodeAt(2) | 32) === 115 &&
    (name.charCodeAt(3) | 32) === 116
  );
}

/**
 * RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host field, with more than one,
 * or with an invalid value. Two Hosts are how requests are smuggled past a proxy that routes by one and an
 * upstream that reads the other; a comma is what a merged pair looks like.
 */
function checkHost(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (host === undefined)
    return req.httpVersionMajor === 1 && req.httpVersionMinor === 0 ? undefined : 'missing Host header';
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c > 127 || HOST_CHARS[c] === 0) return 'invalid Host header';
  }
  return undefined;
}

/** RFC 3986 §3.2.2 reg-name, IP literal and port characters, less the comma. */
const HOST_CHARS = new Uint8Array(128);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%!$&'()*+;=:[]")
  HOST_CHARS[ch.charCodeAt(0)] = 1;
