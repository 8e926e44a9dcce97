/**
 * A fake LLM provider on loopback for AI gateway tests: a real HTTP server that records every request and
 * answers from a script. Wire fixtures (what OpenAI, Anthropic, Gemini… send) are written by each test
 * from the providers' public API references; this helper only speaks HTTP, JSON, SSE and NDJSON.
 *
 * Streams can be paced by the test: an entry `{ gate }` waits for that promise before sending what follows,
 * so a test can check the first token reached the client before the provider sent the rest (no sleeps).
 * `{ cut: true }` destroys the socket mid-stream (a broken stream).
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path with query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when empty or not JSON). */
  json: unknown;
  raw: string;
}

export type StreamEntry =
  | { event?: string; data: string | object }
  | { line: string | object }
  | { gate: Promise<unknown> }
  | { cut: true };

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** An SSE stream (`text/event-stream`): `{event?, data}` entries; data objects are JSON-encoded. */
  sse?: StreamEntry[];
  /** An NDJSON stream (`application/x-ndjson`, Ollama): `{line}` entries. */
  ndjson?: StreamEntry[];
  /** Wait for this before answering at all (timeouts, ordering). */
  hold?: Promise<unknown>;
}

export type Responder = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeLlm {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Replies used once each, in order, before the default responder. */
  queue(...replies: FakeReply[]): void;
  /** The responder used when the queue is empty. */
  setDefault(responder: Responder): void;
  close(): Promise<void>;
}

export async function startFakeLlm(defaultResponder?: Responder): Promise<FakeLlm> {
  const requests: RecordedRequest[] = [];
  const queued: FakeReply[] = [];
  let responder: Responder =
    defaultResponder ??
    (() => ({ status: 500, json: { error: { message: 'fake provider: no reply scripted' } } }));

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        json = undefined;
      }
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        json,
        raw,
      };
      requests.push(rec);
      const next = queued.shift();
      void Promise.resolve(next ?? responder(rec))
        .then((reply) => answer(res, reply))
        .catch(() => res.destroy());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    queue: (...replies) => queued.push(...replies),
    setDefault: (r) => {
      responder = r;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function answer(res: http.ServerResponse, reply: FakeReply): Promise<void> {
  if (reply.hold !== undefined) await reply.hold;
  if (res.destroyed) return;
  const status = reply.status ?? 200;
  if (reply.sse !== undefined || reply.ndjson !== undefined) {
    const sse = reply.sse !== undefined;
    res.writeHead(status, {
      'content-type': sse ? 'text/event-stream' : 'application/x-ndjson',
      'cache-control': 'no-cache',
      ...reply.headers,
    });
    res.flushHeaders();
    for (const entry of reply.sse ?? reply.ndjson ?? []) {
      if ('gate' in entry) {
        await entry.gate;
        continue;
      }
      if ('cut' in entry) {
        res.destroy();
        return;
      }
      if ('line' in entry) {
        res.write(`${typeof entry.line === 'string' ? entry.line : JSON.stringify(entry.line)}\n`);
        continue;
      }
      const data = typeof entry.data === 'string' ? entry.data : JSON.stringify(entry.data);
      res.write(`${entry.event === undefined ? '' : `event: ${entry.event}\n`}data: ${data}\n\n`);
    }
    res.end();
    return;
  }
  const body = reply.json === undefined ? '' : JSON.stringify(reply.json);
  res.writeHead(status, { 'content-type': 'application/json', ...reply.headers });
  res.end(body);
}

/** A promise and the function that resolves it: pace a fake stream from the test. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
