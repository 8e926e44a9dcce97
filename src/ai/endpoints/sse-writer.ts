/**
 * Server-sent events to the caller, for the OpenAI (`data: {chunk}` … `data: [DONE]`) and Anthropic
 * (`event: message_start` / `data: {…}`) stream formats alike. Every event is written as soon as it is
 * produced (Nagle off, the headers with the first event): buffering here would delay the first token. Writes
 * respect back-pressure: when the client reads slower than the provider writes, the producer waits for
 * `drain`, so a slow client holds the provider's socket instead of growing the gateway's memory.
 */
import type { RequestContext } from '../../pipeline/context.js';
import { replyHead } from '../../pipeline/reply.js';
import type { Served } from '../engine-types.js';

export class SseWriter {
  private readonly ctx: RequestContext;

  constructor(ctx: RequestContext) {
    this.ctx = ctx;
  }

  /** The client went away (or the response ended): nothing more can be written. */
  get closed(): boolean {
    const res = this.ctx.res;
    return res.destroyed || res.writableEnded;
  }

  /**
   * Writes one event: `event: name` when given, then `data: JSON` (a string is written as-is, for
   * `[DONE]`). Resolves once the event is handed to the socket, or, when the socket's buffer is full,
   * once it drained (or the client went away).
   */
  send(data: unknown, event?: string): Promise<void> | undefined {
    const payload = typeof data === 'string' ? data : JSON.stringify(data);
    const text = event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
    return this.write(text);
  }

  /** A comment line (`: …`): keeps idle proxies from closing a quiet stream; clients ignore it. */
  comment(text: string): Promise<void> | undefined {
    return this.write(`: ${text.replace(/[\r\n]/g, ' ')}\n\n`);
  }

  /** Ends the response (idempotent). */
  end(): void {
    if (!this.closed) this.ctx.res.end();
  }

  private write(text: string): Promise<void> | undefined {
    if (this.closed) return undefined;
    const res = this.ctx.res;
    this.ctx.bytesOut += Buffer.byteLength(text);
    if (res.write(text)) return undefined;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }
}

/** How long the status line may wait for the first event before it is sent alone. */
const HEADERS_ALONE_MS = 50;

/**
 * Starts an event stream: status 200, `text/event-stream`, no caching, the request id and who serves the
 * call (`x-keyway-ai-provider`, `x-keyway-ai-model`). Marks the request as answered for the pipeline.
 */
export function startSse(ctx: RequestContext, served: Served): SseWriter {
  const res = ctx.res;
  // Written through the respond phase (src/pipeline/reply.ts): response-headers, the RateLimit headers.
  replyHead(ctx, 200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    // Tells nginx-style buffering proxies in front of Keyway to pass events through at once.
    'x-accel-buffering': 'no',
    'x-keyway-ai-provider': served.provider,
    'x-keyway-ai-model': served.model,
  });
  // Small writes must leave now, not after the next one (Nagle would hold a lone token ~40 ms).
  res.socket?.setNoDelay(true);
  // The headers leave with the first event, in one packet: flushing them alone first delayed the first
  // token by ~0.2 ms at the client (bench/ai-overhead.mjs). A provider slow to its first token must not
  // leave the caller without a status line, though: past HEADERS_ALONE_MS they go out by themselves.
  const early = setTimeout(() => {
    if (!res.headersSent && !res.destroyed) res.flushHeaders();
  }, HEADERS_ALONE_MS);
  early.unref();
  res.once('close', () => clearTimeout(early));
  return new SseWriter(ctx);
}
