// What the AI gateway adds to a call (issue 6's targets: median overhead per non-streamed call under 1 ms,
// time to the first streamed token not delayed beyond 1 ms). A fake OpenAI-compatible provider runs in its own
// process (bench/fake-llm.mjs); one Keyway process serves it through an `ai://` route with the ai-proxy
// plugin, once bare and once behind key-auth; bench/ai-ceiling-proxy.mjs is the smallest Node pass-through in
// front of the same provider. The client sends sequential requests, rotating direct / minimal hop / Keyway so
// all three see the same machine noise, and compares medians: what Keyway adds, and how much of it any Node
// hop costs on this machine.
// Usage: npm run build && node bench/ai-overhead.mjs [--requests N]
import { Agent, request } from 'undici';
import { startKeyway } from './lib/keyway.mjs';
import { cleanup, freePort, installCleanup, start, waitFor } from './lib/processes.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const n = arg('--requests', 2000);
installCleanup();
const root = new URL('..', import.meta.url).pathname;
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 1 });
const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say hello' }] });
const streamBody = JSON.stringify({
  model: 'bench',
  stream: true,
  messages: [{ role: 'user', content: 'Say hello' }],
});

/** Milliseconds to the whole answer, or to the first body bytes with `firstByte`. */
async function timeCall(url, payload, headers, firstByte) {
  const t = process.hrtime.bigint();
  const r = await request(url, {
    method: 'POST',
    body: payload,
    headers: { 'content-type': 'application/json', ...headers },
    dispatcher,
  });
  if (r.statusCode !== 200) throw new Error(`${url} answered ${r.statusCode}: ${await r.body.text()}`);
  let first = 0;
  for await (const chunk of r.body) {
    if (first === 0 && chunk.length > 0) first = Number(process.hrtime.bigint() - t) / 1e6;
  }
  return firstByte ? first : Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function compare(label, direct, hop, via, payload, headers, firstByte) {
  for (let i = 0; i < 200; i++) {
    await timeCall(direct, payload, {}, firstByte);
    await timeCall(hop, payload, {}, firstByte);
    await timeCall(via, payload, headers, firstByte);
  }
  const [a, h, b] = [[], [], []];
  for (let i = 0; i < n; i++) {
    a.push(await timeCall(direct, payload, {}, firstByte));
    h.push(await timeCall(hop, payload, {}, firstByte));
    b.push(await timeCall(via, payload, headers, firstByte));
  }
  const over = median(b) - median(a);
  console.log(
    `${label.padEnd(30)} p50 direct ${median(a).toFixed(3)}  minimal Node hop ${median(h).toFixed(3)}  ` +
      `Keyway ${median(b).toFixed(3)} ms (p99 ${pct(a, 0.99).toFixed(3)} / ${pct(h, 0.99).toFixed(3)} / ` +
      `${pct(b, 0.99).toFixed(3)})  added ${over.toFixed(3)} ms, of which beyond the hop ` +
      `${(median(b) - median(h)).toFixed(3)} ms`,
  );
  return over;
}

try {
  const port = await freePort();
  const fake = await start('fake-llm', process.execPath, [`${root}bench/fake-llm.mjs`, String(port)], {
    cwd: root,
  });
  const provider = `http://127.0.0.1:${port}/v1`;
  await waitFor(`${provider}/models`, { proc: fake, check: (r) => r.status === 404 });
  // The minimal Node hop, for Keyway's own share of the added time.
  const hopPort = await freePort();
  const hop = await start(
    'ai-ceiling-proxy',
    process.execPath,
    [`${root}bench/ai-ceiling-proxy.mjs`, String(hopPort), `http://127.0.0.1:${port}`],
    { cwd: root },
  );
  await waitFor(`http://127.0.0.1:${hopPort}/v1/models`, { proc: hop, check: (r) => r.status === 404 });
  const viaHop = `http://127.0.0.1:${hopPort}/v1/chat/completions`;
  const kw = await startKeyway({ root }, { name: 'keyway-ai' });
  await kw.admin('POST', '/ai_providers', {
    name: 'fake',
    type: 'openai_compatible',
    base_url: provider,
    keys: [{ id: 'k1', secret: 'sk-bench-not-a-real-key' }],
  });
  await kw.admin('POST', '/ai_models', {
    name: 'bench',
    targets: [{ provider: 'fake', model: 'bench-model' }],
  });
  await kw.admin('POST', '/services', { name: 'ai', url: 'ai://gateway' });
  // The plugin before the routes: a route of an ai:// service without ai-proxy is refused.
  await kw.admin('POST', '/plugins', { name: 'ai-proxy', service: 'ai' });
  await kw.admin('POST', '/routes', { name: 'ai', service: 'ai', paths: ['/'] });
  await kw.admin('POST', '/routes', { name: 'ai-keyed', service: 'ai', paths: ['/keyed'] });
  await kw.admin('POST', '/plugins', { name: 'key-auth', route: 'ai-keyed' });
  await kw.admin('POST', '/consumers', { username: 'bench' });
  await kw.admin('POST', '/apps', { name: 'bench-app', consumer: 'bench' });
  const { key } = await kw.admin('POST', '/apps/bench-app/keys', {});
  const viaBare = new URL('/v1/chat/completions', kw.proxyUrl).href;
  const viaKeyed = new URL('/keyed/v1/chat/completions', kw.proxyUrl).href;
  const direct = `${provider}/chat/completions`;
  await waitFor(new URL('/v1/models', kw.proxyUrl).href, { proc: kw.proc });
  const auth = { authorization: `Bearer ${key}` };

  console.log(`AI gateway overhead, ${n} sequential calls each way (fake provider in its own process)`);
  const plain = await compare('chat, non-streamed', direct, viaHop, viaBare, body, {}, false);
  const keyed = await compare('chat, non-streamed, key-auth', direct, viaHop, viaKeyed, body, auth, false);
  const ttft = await compare('chat, streamed: first token', direct, viaHop, viaBare, streamBody, {}, true);
  console.log(
    `targets: added median < 1 ms non-streamed (${plain.toFixed(3)} bare, ${keyed.toFixed(3)} with key-auth), ` +
      `first token delayed < 1 ms (${ttft.toFixed(3)})`,
  );
  await kw.stop();
} finally {
  await cleanup();
}
