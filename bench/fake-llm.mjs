// A fake OpenAI-compatible provider for the AI benchmarks, run as its own process so the measuring client
// and Keyway each keep a core's event loop to themselves. `POST /v1/chat/completions` answers a fixed
// completion at once; with `"stream": true` it sends the first chunk at once and the rest 5 ms later, so the
// time to the first token through Keyway can be compared with the time straight from here.
// Usage: node bench/fake-llm.mjs <port>
import http from 'node:http';

const port = Number(process.argv[2]);
const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_764_000_000,
  model: 'bench-model',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello there!' },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
});
const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1_764_000_000,
    model: 'bench-model',
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  })}\n\n`;
const usage = `data: ${JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion.chunk',
  created: 1_764_000_000,
  model: 'bench-model',
  choices: [],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
})}\n\n`;

http
  .createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      if (!body.includes('"stream":true')) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(completion),
        });
        res.end(completion);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(chunk({ role: 'assistant', content: 'Hello' }));
      setTimeout(() => {
        res.write(chunk({ content: ' there!' }));
        res.write(chunk({}, 'stop'));
        res.end(`${usage}data: [DONE]\n\n`);
      }, 5);
    });
  })
  .listen(port, '127.0.0.1', () => console.log(`fake-llm listening on ${port}`));
