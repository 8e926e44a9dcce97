// The smallest honest Node pass-through for the AI benchmark: a `node:http` server that reads the request
// body, sends it to the provider with one undici keep-alive pool, and streams the answer back chunk by chunk
// with Nagle off. No routing, no translation, no accounting: what any Node hop in front of a provider costs
// on this machine, so bench/ai-overhead.mjs can tell Keyway's own share from the hop's.
// Usage: node bench/ai-ceiling-proxy.mjs <port> <provider origin>
import http from 'node:http';
import { Agent, request } from 'undici';

const [port, origin] = [Number(process.argv[2]), process.argv[3]];
const dispatcher = new Agent({ keepAliveTimeout: 30_000 });

http
  .createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const r = await request(origin + req.url, {
      method: req.method,
      body: Buffer.concat(chunks),
      headers: { 'content-type': 'application/json' },
      dispatcher,
    });
    res.writeHead(r.statusCode, { 'content-type': r.headers['content-type'] ?? 'application/json' });
    res.socket?.setNoDelay(true);
    for await (const c of r.body) res.write(c);
    res.end();
  })
  .listen(port, '127.0.0.1', () => console.log(`ai-ceiling-proxy listening on ${port}`));
