// The runtime's ceiling: the smallest honest reverse proxy Node can run — one node:http server, one undici
// Pool with keep-alive, bodies streamed both ways, status and headers copied minus hop-by-hop fields.
// No routing, no plugins, no logging: whatever Keyway adds on top of this is Keyway's own cost.
// Usage: node bench/ceiling-proxy.mjs <upstream origin> [port]   (prints `listening <port>` once ready)
import http from 'node:http';
import { Pool } from 'undici';

// RFC 9110 §7.6.1: hop-by-hop fields apply to one connection and are not forwarded. `host` is set by undici
// from the origin; `expect` is refused by undici.
const HOP = new Set(
  `connection keep-alive proxy-connection te trailer transfer-encoding upgrade
   proxy-authenticate proxy-authorization host expect`.split(/\s+/),
);
const strip = (headers) => {
  const out = {};
  for (const name in headers) if (!HOP.has(name)) out[name] = headers[name];
  return out;
};

const pool = new Pool(process.argv[2], { connections: 64, keepAliveTimeout: 60_000 });
const server = http.createServer((req, res) => {
  const hasBody =
    req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  // stream() hands the response straight to `res` (no intermediate Readable): undici's fastest proxy API.
  pool
    .stream(
      { path: req.url, method: req.method, headers: strip(req.headers), body: hasBody ? req : null },
      ({ statusCode, headers }) => res.writeHead(statusCode, strip(headers)),
    )
    .catch(() => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () =>
  console.log(`listening ${server.address().port}`),
);
process.on('SIGTERM', () =>
  server.close(() => pool.close().then(() => process.exit(0))).closeAllConnections(),
);
process.on('SIGINT', () => process.exit(0));
