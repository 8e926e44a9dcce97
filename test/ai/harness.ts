/**
 * The setup the AI gateway suites share: a fake provider on loopback (test/helpers/fake-llm.ts), the data
 * plane in front of it, and the official `openai` client on the gateway's `/v1`. Started before the suite
 * and closed after it; before each test the fake's recorded requests and the gateway's key cooldowns are
 * cleared, so a key one test made the provider refuse does not cool for the next test.
 *
 * Also `drain`, which reads a streamed chat completion the way these tests look at it.
 */
import { after, before, beforeEach } from 'node:test';
import OpenAI from 'openai';
import { request, type Dispatcher } from 'undici';
import type { ConfigState } from '../../src/model/index.js';
import { startFakeLlm, type FakeLlm, type Responder } from '../helpers/fake-llm.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

export interface AiHarness {
  readonly fake: FakeLlm;
  readonly gw: TestGateway;
  /** The configuration the gateway started with (`gw.swap` it back after a change). */
  readonly config: ConfigState;
  /** An `openai` client on `${gw.url}/v1`, without retries (a test sees every answer as it came). */
  readonly client: OpenAI;
  /** POSTs `body` to `/v1/chat/completions` without the SDK, for what it hides (statuses, the SSE text). */
  postChat(body: Record<string, unknown>): Promise<Dispatcher.ResponseData>;
}

/** Registers the suite's hooks: call it in a `describe`, use the getters in its tests. */
export function aiHarness(opts: {
  /** What the gateway serves; built once the fake provider has its URL. */
  config: (fake: FakeLlm) => ConfigState;
  /** What the fake provider answers when the test queued nothing. */
  responder?: Responder;
  gateway?: Parameters<typeof startGateway>[1];
}): AiHarness {
  let fake: FakeLlm | undefined;
  let gw: TestGateway | undefined;
  let config: ConfigState | undefined;
  let client: OpenAI | undefined;

  before(async () => {
    fake = await startFakeLlm(opts.responder);
    config = opts.config(fake);
    gw = await startGateway(config, opts.gateway);
  });
  after(async () => {
    await gw?.close();
    await fake?.close();
  });
  beforeEach(() => {
    if (fake !== undefined) fake.requests.length = 0;
    gw?.caches.aiKeys.clear();
  });

  return {
    get fake() {
      return started(fake);
    },
    get gw() {
      return started(gw);
    },
    get config() {
      return started(config);
    },
    get client() {
      const url = started(gw).url;
      return (client ??= new OpenAI({ apiKey: 'kw-caller', baseURL: `${url}/v1`, maxRetries: 0 }));
    },
    postChat: (body) =>
      request(`${started(gw).url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
  };
}

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the AI harness is used before its suite started');
  return value;
}

/** What a chat stream delivered, filled in as chunks arrive: a stream that breaks still shows what came. */
export class Drained {
  chunks: OpenAI.ChatCompletionChunk[] = [];
  /** The content deltas of the first choice, joined. */
  text = '';
  /** The last finish reason sent. */
  finish: string | null = null;
  /** The last usage sent. */
  usage: OpenAI.CompletionUsage | undefined;
  /** The first choice's tool calls, assembled from their deltas by index. */
  tools: Array<{ id: string | undefined; name: string; args: string }> = [];
}

/**
 * Reads a chat completion stream to its end. `onFirstToken` runs when the first non-empty text arrives:
 * opening there the gate a fake provider holds the rest behind proves the gateway buffered nothing.
 */
export async function drain(
  stream: AsyncIterable<OpenAI.ChatCompletionChunk>,
  onFirstToken?: () => void,
  into: Drained = new Drained(),
): Promise<Drained> {
  for await (const c of stream) {
    into.chunks.push(c);
    const choice = c.choices[0];
    const piece = choice?.delta.content ?? '';
    if (piece !== '' && into.text === '') onFirstToken?.();
    into.text += piece;
    into.finish = choice?.finish_reason ?? into.finish;
    into.usage = c.usage ?? into.usage;
    for (const t of choice?.delta.tool_calls ?? []) {
      const call = (into.tools[t.index] ??= { id: undefined, name: '', args: '' });
      call.id ??= t.id;
      call.name ||= t.function?.name ?? '';
      call.args += t.function?.arguments ?? '';
    }
  }
  return into;
}
