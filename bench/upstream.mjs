// The fallback upstream when nginx is not installed: the smallest node:http server that answers every request
// with the same fixed body. Run as its own process so it never shares an event loop with the load generator.
// Usage: node bench/upstream.mjs [port]   (port 0 = any; prints `listening <port>` once ready)
import http from 'node:http';
import { BODY } from './lib/body.mjs';

const body = Buffer.from(BODY);
const server = http.createServer((req, res) => {
  // Drain any request body before answering so keep-alive connections stay usable.
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
// Load runs last seconds with idle gaps between rounds: keep connections open across them, like nginx does.
server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
process.on('SIGINT', () => process.exit(0));
