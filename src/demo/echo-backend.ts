/**
 * The demo backend of `keyway demo`: a small HTTP server that answers every request with a JSON echo of
 * what it received, so the README's first minutes work without a backend of one's own and show what
 * Keyway forwards (the path after `strip_path`, `X-Forwarded-*`, `X-Request-Id`). `?status=503` answers
 * with that status, to try error handling and `keyway logs --status 5xx`.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** Headers that carry credentials: the echo says they arrived, never what they hold. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'apikey',
  'x-api-key',
  'cookie',
  'set-cookie',
]);
/** Bodies are echoed up to this size; a demo backend needs no more. */
const BODY_ECHO_MAX = 64 * 1024;

export interface EchoReply {
  server: 'keyway demo backend';
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[]>;
  body?: string;
  body_bytes: number;
}

export interface EchoBackend {
  /** `host:port` it listens on. */
  address: string;
  server: http.Server;
  close(): Promise<void>;
}

function echoHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name] = CREDENTIAL_HEADERS.has(name) ? '(present, not echoed)' : value;
  }
  return out;
}

function handle(req: IncomingMessage, res: ServerResponse, onRequest?: (line: string) => void): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  req.on('data', (c: Buffer) => {
    bytes += c.length;
    if (bytes <= BODY_ECHO_MAX) chunks.push(c);
  });
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(key);
      query[key] = all.length === 1 ? (all[0] ?? '') : all;
    }
    const asked = Number(url.searchParams.get('status'));
    const status = Number.isInteger(asked) && asked >= 200 && asked <= 599 ? asked : 200;
    const reply: EchoReply = {
      server: 'keyway demo backend',
      method: req.method ?? '',
      path: url.pathname,
      query,
      headers: echoHeaders(req),
      body_bytes: bytes,
    };
    if (bytes > 0) reply.body = Buffer.concat(chunks).toString('utf8');
    const text = JSON.stringify(reply, null, 2) + '\n';
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(req.method === 'HEAD' ? undefined : text);
    onRequest?.(`${req.method ?? ''} ${req.url ?? ''} → ${status}`);
  });
}

export async function startEchoBackend(
  host: string,
  port: number,
  onRequest?: (line: string) => void,
): Promise<EchoBackend> {
  const server = http.createServer((req, res) => handle(req, res, onRequest));
  server.listen(port, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]) => Promise.reject(err as Error)),
  ]);
  const a = server.address() as AddressInfo;
  const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    address: `${shown}:${a.port}`,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
