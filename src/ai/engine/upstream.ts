/**
 * One HTTP exchange with a provider, over a node-wide keep-alive pool (TLS handshakes to api.openai.com
 * cost more than a short completion's gateway overhead budget). Each exchange is bounded by the
 * provider's timeout — the whole exchange for a JSON answer, the wait for response headers for a stream —
 * and cancelled when the caller goes away. Failures come out as AttemptFailure (something another attempt
 * may fix, or not) or ClientGoneError; nothing here knows about retries.
 */
import { Agent, type Dispatcher } from 'undici';
import type { ProviderAdapter, ProviderFailure, UpstreamCall } from '../types.js';
import { ClientGoneError, ExchangeGuard } from '../../pipeline/exchange-guard.js';
import { Cancellation } from './cancellation.js';
import { dispatchStreaming, type DispatchedBody, type DispatchedResponse } from './dispatched-body.js';

declare module '../../pipeline/plugin.js' {
  interface PluginServices {
    /** The node's keep-alive pool for AI provider calls (server/node-caches.ts). Absent: per engine. */
    readonly providerAgent?: Dispatcher;
  }
}

/**
 * Keep-alive pool for every provider call of a node (undici pools per origin inside it): one per node
 * (PluginServices.providerAgent), closed when the node stops.
 */
export function createProviderAgent(): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connect: { timeout: 10_000 },
    // Bounds are set per exchange from the provider's timeout.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}

/** Error bodies are read up to this size: enough for any provider's error object, no more. */
const ERROR_BODY_LIMIT = 64 * 1024;

export type FailureKind = 'provider' | 'timeout' | 'connect' | 'malformed';

/** An attempt failed; `failure` says whether another attempt is worth it and whether the key is to blame. */
export class AttemptFailure extends Error {
  readonly failure: ProviderFailure;
  readonly kind: FailureKind;

  constructor(failure: ProviderFailure, kind: FailureKind) {
    super(failure.message);
    this.name = 'AttemptFailure';
    this.failure = failure;
    this.kind = kind;
  }
}

export interface ExchangeOptions {
  /** Cancelled when the caller goes away. */
  client: Cancellation;
  /** Bound for this exchange (ms): the whole of it for JSON, until the response headers for a stream. */
  timeoutMs: number;
  /** For a stream once started: longest silence between two reads (ms). */
  idleMs?: number;
  /** The node's provider pool (or a mock provider's in-process dispatcher). */
  dispatcher: Dispatcher;
  /** Told the provider's status as soon as it is known (for the call record). */
  onStatus?: (status: number) => void;
}

/** A provider stream whose headers arrived with 200: read `body`, then `close()` (always). */
export interface OpenStream {
  body: AsyncIterable<Uint8Array>;
  /** The provider answered one JSON document instead of a stream (it ignored `stream: true`). */
  json: boolean;
  /** Releases the exchange: detaches from the caller's cancellation, aborts the body if still flowing. */
  close(): void;
}

/** A non-streamed call: the provider's JSON answer, or an AttemptFailure. */
export async function exchangeJson(
  call: UpstreamCall,
  adapter: ProviderAdapter,
  opts: ExchangeOptions,
): Promise<unknown> {
  const guard = new AttemptGuard(opts.client, opts.timeoutMs);
  try {
    const res = await send(call, guard, opts, 0);
    await refuseErrors(res, adapter, guard);
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw guard.classify(err);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw malformed('the provider answered 200 with a body that is not JSON');
    }
  } finally {
    guard.dispose();
  }
}

/**
 * A streamed call: resolves once the provider answered 200 (its headers within the timeout). After that
 * the body is bounded by an idle timeout (no byte for `timeoutMs`), not by the total time: generations
 * may legitimately run for minutes.
 */
export async function openStream(
  call: UpstreamCall,
  adapter: ProviderAdapter,
  opts: ExchangeOptions,
): Promise<OpenStream> {
  const guard = new AttemptGuard(opts.client, opts.timeoutMs);
  try {
    const res = await send(call, guard, opts, opts.idleMs ?? opts.timeoutMs);
    await refuseErrors(res, adapter, guard);
    guard.disarm();
    const type = res.headers['content-type'];
    return {
      body: res.body,
      json: typeof type === 'string' && type.startsWith('application/json'),
      close: () => {
        guard.dispose();
        if (!res.body.destroyed) res.body.destroy();
      },
    };
  } catch (err) {
    guard.dispose();
    throw err;
  }
}

/**
 * One request to the provider, answered as soon as its headers arrive; the body follows through `res.body`.
 * JSON answers and streams take the same path (src/ai/engine/dispatched-body.ts).
 */
async function send(
  call: UpstreamCall,
  guard: AttemptGuard,
  opts: ExchangeOptions,
  bodyTimeout: number,
): Promise<DispatchedResponse> {
  let res: DispatchedResponse;
  try {
    const url = new URL(call.url);
    res = await dispatchStreaming(
      opts.dispatcher,
      {
        origin: url.origin,
        path: url.pathname + url.search,
        method: call.method,
        headers: call.headers,
        body: call.body ?? null,
        headersTimeout: 0,
        bodyTimeout,
      },
      guard.cancel,
    );
  } catch (err) {
    throw guard.classify(err);
  }
  opts.onStatus?.(res.statusCode);
  return res;
}

/** A status of 300 or more: read the (bounded) error body and let the adapter say what it means. */
async function refuseErrors(
  res: DispatchedResponse,
  adapter: ProviderAdapter,
  guard: AttemptGuard,
): Promise<void> {
  if (res.statusCode < 300) return;
  let text = '';
  try {
    text = await readBounded(res.body, ERROR_BODY_LIMIT);
  } catch (err) {
    const classified = guard.classify(err);
    if (classified instanceof ClientGoneError) throw classified;
  }
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Not JSON (an HTML error page from a load balancer): the adapter gets the text.
  }
  throw new AttemptFailure(adapter.failure(res.statusCode, body, res.headers), 'provider');
}

async function readBounded(body: DispatchedBody, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(parts).subarray(0, limit).toString('utf8');
}

function malformed(message: string): AttemptFailure {
  return new AttemptFailure({ status: 502, message, retryable: false, keyProblem: false }, 'malformed');
}

/**
 * The cancellation of one exchange: fires when the caller goes away or the timeout elapses, and tells
 * which of the two it was — the data plane's exchange guard (src/pipeline/exchange-guard.ts), listening to
 * the call's caller cancellation (one per call: a caller who leaves between attempts is seen too).
 */
class AttemptGuard extends ExchangeGuard {
  /** Cancels the exchange: the caller left, or the timeout elapsed. */
  readonly cancel = new Cancellation();
  private readonly client: Cancellation;

  constructor(client: Cancellation, timeoutMs: number) {
    super(timeoutMs);
    this.client = client;
    client.onAbort(this.clientGone);
  }

  protected override cut(err: Error): void {
    this.cancel.abort(err);
  }

  dispose(): void {
    this.disarm();
    this.client.offAbort(this.clientGone);
  }

  /** What an error thrown by the exchange means for the attempt loop. */
  classify(err: unknown): AttemptFailure | ClientGoneError {
    if (this.client.aborted) return new ClientGoneError();
    if (this.cutBy === 'timeout')
      return new AttemptFailure(
        {
          status: 504,
          message: `no answer within ${this.timeoutMs} ms`,
          retryable: true,
          keyProblem: false,
        },
        'timeout',
      );
    const code = (err as { code?: unknown }).code;
    // The message names the error code only: undici's messages may carry the provider's host and port.
    return new AttemptFailure(
      {
        status: 502,
        message: `could not reach the provider${typeof code === 'string' ? ` (${code})` : ''}`,
        retryable: true,
        keyProblem: false,
      },
      'connect',
    );
  }
}
