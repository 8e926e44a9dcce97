/**
 * Taps a request's and a response's bodies as they pass, keeping their first N bytes (and counting the
 * rest) without buffering, pausing or reading anything.
 *
 * Why at the stream's own entry points instead of in each producer: a request body is read by whoever
 * needs it — undici when proxying, the AI endpoints when they parse a prompt — and a response is written
 * by the proxy, by plugins, by the AI engine and by error answers. Every request chunk enters the
 * IncomingMessage through `push()` (Node's HTTP parser calls it, lib/_http_common.js `parserOnBody`), and
 * every response goes out through `writeHead()`, `write()` and `end()`. Wrapping those four methods on
 * the two objects of one call — the technique of the `on-headers` and `compression` middlewares — sees
 * every byte whoever moves it, adds no consumer (the request's flow mode and back-pressure are untouched:
 * `push()` still returns what the stream says), and costs nothing on routes that capture no bodies,
 * because only their requests are wrapped.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export class BodyPrefix {
  /** All bytes that passed. */
  bytes = 0;
  private readonly parts: Buffer[] = [];
  private used = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (this.used >= this.limit || chunk.length === 0) return;
    const n = Math.min(this.limit - this.used, chunk.length);
    // Copied, so holding the prefix never holds a 64 KiB socket chunk alive; sized to what is kept, so a
    // small body costs its size, not the limit.
    this.parts.push(Buffer.from(chunk.subarray(0, n)));
    this.used += n;
  }

  addString(s: string, encoding: BufferEncoding | undefined): void {
    if (this.used >= this.limit) {
      this.bytes += Buffer.byteLength(s, encoding);
      return;
    }
    this.add(Buffer.from(s, encoding));
  }

  get truncated(): boolean {
    return this.bytes > this.used;
  }

  prefix(): Buffer {
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.used);
  }
}

/** Keeps the first bytes of the request body as the HTTP parser delivers them. */
export function tapRequest(req: IncomingMessage, prefix: BodyPrefix): void {
  const push = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (typeof chunk === 'string') prefix.addString(chunk, encoding);
    else if (chunk instanceof Uint8Array) prefix.add(chunk);
    return push(chunk, encoding);
  };
}

export class ResponseTap {
  readonly body: BodyPrefix;
  /** Headers handed to `writeHead()`; Node keeps them nowhere `getHeader()` can see when none were set before. */
  private headers: OutgoingHttpHeaders | readonly unknown[] | undefined = undefined;

  constructor(
    limit: number,
    private readonly res: ServerResponse,
  ) {
    this.body = new BodyPrefix(limit);
  }

  /** A response header as sent: from `writeHead()`'s argument, else from `setHeader()`. */
  header(name: string): string | undefined {
    const h = this.headers;
    let v: unknown;
    if (Array.isArray(h)) {
      // Flat [name, value, name, value…] or [[name, value]…], both accepted by writeHead.
      for (let i = 0; i < h.length; i++) {
        const e: unknown = h[i];
        if (Array.isArray(e) && String(e[0]).toLowerCase() === name) v = e[1];
        else if (typeof e === 'string' && i % 2 === 0 && e.toLowerCase() === name) v = h[i + 1];
      }
    } else if (h !== undefined) {
      for (const k of Object.keys(h)) if (k.toLowerCase() === name) v = (h as OutgoingHttpHeaders)[k];
    }
    v ??= this.res.getHeader(name);
    if (Array.isArray(v)) v = v[0];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  }

  install(): void {
    const res = this.res;
    const body = this.body;
    const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
    const noteHeaders = (args: unknown[]): void => {
      const last = args[args.length - 1];
      if (args.length > 1 && typeof last === 'object' && last !== null)
        this.headers = last as OutgoingHttpHeaders;
    };
    const take = (chunk: unknown, encoding: unknown): void => {
      if (typeof chunk === 'string')
        body.addString(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : undefined);
      else if (chunk instanceof Uint8Array) body.add(chunk);
    };
    res.writeHead = (...args: unknown[]) => {
      noteHeaders(args);
      return writeHead(...args);
    };
    res.write = ((...args: unknown[]) => {
      take(args[0], args[1]);
      return write(...args);
    }) as typeof res.write;
    res.end = ((...args: unknown[]) => {
      if (typeof args[0] !== 'function') take(args[0], args[1]);
      return end(...args);
    }) as typeof res.end;
  }
}
