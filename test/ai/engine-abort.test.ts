/**
 * A caller that goes away cancels the provider call: while waiting for the answer, and in the middle of
 * a stream. The provider here is a raw HTTP server that reports when its request's connection closes —
 * the only way to see, from outside, that the gateway really let go.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { gate } from '../helpers/fake-llm.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/upstream.js';
import { aiState, chunk } from './openai-fixtures.js';

describe('client abort cancels the provider call', () => {
  let provider: TestServer;
  let gw: TestGateway;
  let client: OpenAI;
  /** Resolved with the provider-side response when a request arrives; its 'close' tells the cancel. */
  let arrived = gate();
  let lastRes: ServerResponse | undefined;
  let streamMode = false;

  before(async () => {
    provider = await startServer((req, res) => {
      req.resume();
      req.on('end', () => {
        lastRes = res;
        if (streamMode) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'first' }))}\n\n`);
        }
        // Otherwise: never answer.
        arrived.open();
      });
    });
    gw = await startGateway(
      aiState({
        providers: [
          {
            name: 'oa',
            type: 'openai',
            base_url: `http://${provider.address}/v1`,
            keys: [{ id: 'k', secret: 'sk-x' }],
          },
        ],
      }),
    );
    client = new OpenAI({ apiKey: 'kw', baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await provider.close();
  });

  const closed = (res: ServerResponse) =>
    new Promise<void>((resolve) =>
      res.destroyed || res.socket === null ? resolve() : res.once('close', () => resolve()),
    );

  it('while waiting for the answer', { timeout: 5000 }, async () => {
    arrived = gate();
    streamMode = false;
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: 'oa/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
      { signal: controller.signal },
    );
    await arrived.promise;
    const res = lastRes;
    assert.ok(res !== undefined);
    controller.abort();
    await assert.rejects(pending);
    await closed(res);
  });

  it('in the middle of a stream', { timeout: 5000 }, async () => {
    arrived = gate();
    streamMode = true;
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'oa/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { signal: controller.signal },
    );
    await arrived.promise;
    const res = lastRes;
    assert.ok(res !== undefined);
    // The SDK ends its iteration quietly on abort; what matters is the provider side.
    for await (const c of stream) if (c.choices[0]?.delta.content === 'first') controller.abort();
    await closed(res);
  });
});
