/**
 * The AI engine (the AiEngine contract of src/ai/engine-types.ts): resolves the requested model, lets the
 * policy admit the call, runs the attempt loop over deployments, keys and fallbacks, and accounts usage.
 * One engine is built per ai-proxy config and snapshot; what must outlive a snapshot (key cooldowns, the
 * provider connection pool) is node-wide and passed in.
 *
 *   resolve.ts        alias or provider/model → plan (+ fallbacks)
 *   balance.ts        weighted choice among a plan's targets
 *   key-state.ts      key rotation and cooldowns (node-wide)
 *   attempts.ts       the retry / fallback loop
 *   upstream.ts       one HTTP exchange with a provider, timeouts, cancellation
 *   stream-reader.ts  provider stream → canonical chunks
 *   whole-response.ts a JSON answer to a stream request, replayed as chunks
 *   usage.ts          tokens, cost, ctx.usage, policy.settle — once per call, however it ends
 */
import type { Dispatcher } from 'undici';
import { KeywayError } from '../../core/errors.js';
import { randomBase64url } from '../../core/random-id.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { AiCatalog } from '../catalog.js';
import type { AiEngine, AiPolicy, ChatOutcome } from '../engine-types.js';
import { countTokens, estimateTokens, estimatePromptTokens, promptText } from '../tokens.js';
import type {
  AttemptTarget,
  EmbeddingsRequest,
  EmbeddingsResponse,
  ProviderAdapter,
  StreamIds,
  UpstreamCall,
} from '../types.js';
import { runAttempts, type AttemptEnv, type Attempted } from './attempts.js';
import { WeightedPicker } from './balance.js';
import { Cancellation } from './cancellation.js';
import type { KeyState } from './key-state.js';
import { planChain, resolveModel, type Plan } from './resolve.js';
import { readChatStream } from './stream-reader.js';
import { ClientGoneError } from '../../pipeline/exchange-guard.js';
import { AttemptFailure, exchangeJson, openStream } from './upstream.js';
import { callerGone } from './caller.js';
import { CallMeter, responseText } from './usage.js';

export interface EngineOptions {
  /** Key cooldowns and rotation: the node's (PluginServices.aiKeys), kept across reloads. */
  keys: KeyState;
  /** Connection pool for provider calls: the node's keep-alive agent (PluginServices.providerAgent). */
  dispatcher: Dispatcher;
}

export function createEngine(catalog: AiCatalog, policy: AiPolicy, opts: EngineOptions): AiEngine {
  const { keys, dispatcher } = opts;
  const pickers = new Map<string, WeightedPicker>();
  const picker = (plan: Plan): WeightedPicker | undefined => {
    if (plan.targets.length < 2) return undefined;
    let p = pickers.get(plan.ref);
    if (p === undefined) pickers.set(plan.ref, (p = new WeightedPicker(plan.targets.map((t) => t.weight))));
    return p;
  };

  const prepare = async (
    ctx: RequestContext,
    model: unknown,
    promptTokens: () => number,
    prompt: () => string,
  ): Promise<{ chain: Plan[]; env: AttemptEnv; meter: CallMeter }> => {
    const plan = typeof model === 'string' ? resolveModel(catalog, model) : undefined;
    if (plan === undefined) throw new KeywayError('KW_ERR_MODEL_NOT_FOUND', { model: String(model) });
    await policy.admit(ctx, plan.ref, promptTokens());
    const client = callerCancellation(ctx);
    const meter = new CallMeter(ctx, policy, prompt);
    // Registered before any exchange's own listener: the usage is settled before the exchange is torn down.
    client.onAbort(() => meter.settle());
    return {
      chain: planChain(catalog, plan),
      env: { ctx, workspace: catalog.workspace, keys, client, picker, meter },
      meter,
    };
  };
  const exchange = (ctx: RequestContext, env: AttemptEnv, t: AttemptTarget, timeoutMs: number) => ({
    client: env.client,
    timeoutMs,
    idleMs: t.provider.timeoutMs,
    dispatcher: t.provider.adapter.dispatcher ?? dispatcher,
    onStatus: (status: number) => {
      ctx.upstreamStatus = status;
    },
  });
  /**
   * A non-streamed call through the attempt loop: `call` gives, per target, the request and how to read
   * the answer (or throws when the target cannot serve the call). The answer is read inside the attempt,
   * so an unreadable 200 ends that attempt as the provider's fault.
   */
  const attemptJson = async <T>(
    ctx: RequestContext,
    env: AttemptEnv,
    chain: readonly Plan[],
    call: (
      adapter: ProviderAdapter,
      t: AttemptTarget,
    ) => { request: UpstreamCall; read: (body: unknown) => T },
  ): Promise<Attempted<T>> => {
    const attempted = await attempting(() =>
      runAttempts(env, chain, async (t, timeoutMs) => {
        const adapter = t.provider.adapter;
        const { request, read } = call(adapter, t);
        const body = await exchangeJson(request, adapter, exchange(ctx, env, t, timeoutMs));
        return parsed(() => read(body));
      }),
    );
    ctx.upstreamEndedAt = process.hrtime.bigint();
    return attempted;
  };

  return {
    async chat(ctx, req): Promise<ChatOutcome> {
      const { chain, env, meter } = await prepare(
        ctx,
        req.model,
        () => estimatePromptTokens(req),
        () => promptText(req),
      );
      const ids = streamIds(req.model);
      if (req.stream === true) {
        const { value, served, target } = await attempting(() =>
          runAttempts(env, chain, (t, timeoutMs) =>
            openStream(
              t.provider.adapter.chatRequest(req, t),
              t.provider.adapter,
              exchange(ctx, env, t, timeoutMs),
            ),
          ),
        );
        return { served, stream: readChatStream(value, target, ids, meter) };
      }
      const { value: response, served } = await attemptJson(ctx, env, chain, (adapter, t) => ({
        request: adapter.chatRequest(req, t),
        read: (body) => adapter.chatResponse(body, t, ids),
      }));
      meter.reported = response.usage;
      meter.generated.push(responseText(response));
      const usage = meter.settle();
      if (usage !== undefined) response.usage ??= usage;
      return { served, response };
    },

    async embeddings(ctx, req) {
      const inputText = (): string => embeddingsText(req.input);
      const { chain, env, meter } = await prepare(
        ctx,
        req.model,
        () => estimateTokens(inputText().length),
        inputText,
      );
      const { value: response, served } = await attemptJson(ctx, env, chain, (adapter, t) => {
        if (adapter.embeddingsRequest === undefined || adapter.embeddingsResponse === undefined)
          throw embeddingsUnsupported(t);
        const respond = adapter.embeddingsResponse.bind(adapter);
        return { request: adapter.embeddingsRequest(req, t), read: (body) => respond(body, t, req.model) };
      });
      if (req.encoding_format === 'base64') encodeBase64(response);
      // Embeddings generate no tokens: the input is the whole bill.
      const reported = response.usage as EmbeddingsResponse['usage'] | undefined;
      const tokens =
        typeof reported?.prompt_tokens === 'number'
          ? reported.prompt_tokens
          : countTokens(inputText()) + inputTokenCount(req.input);
      response.usage = { prompt_tokens: tokens, total_tokens: tokens };
      meter.reported = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
      meter.settle();
      return { served, response };
    },
  };
}

/**
 * The caller's connection as a cancellation: fires when it closes before the answer was finished. Hooked
 * on the request's `onClientGone`, which the data plane calls when the connection closes and *before* it
 * takes the call record: what the cancellation settles (the meter) is in that record.
 */
function callerCancellation(ctx: RequestContext): Cancellation {
  const cancel = new Cancellation();
  const gone = (): void => {
    if (callerGone(ctx)) cancel.abort(new ClientGoneError());
  };
  if (ctx.res.destroyed) gone();
  else ctx.onClientGone = gone;
  return cancel;
}

/** The caller went away: recorded as such (the answer can no longer be sent). */
async function attempting<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ClientGoneError) throw new KeywayError('KW_ERR_CLIENT_CLOSED');
    throw err;
  }
}

/** A 200 whose body the adapter cannot read is the provider's fault, not the caller's. */
function parsed<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof KeywayError) throw err;
    throw new AttemptFailure(
      {
        status: 502,
        message: 'the provider answered with a response Keyway could not read',
        retryable: false,
        keyProblem: false,
      },
      'malformed',
    );
  }
}

function embeddingsUnsupported(t: AttemptTarget): KeywayError {
  return new KeywayError(
    'KW_ERR_AI_PROVIDER',
    { reason: `provider "${t.provider.name}" (${t.provider.type}) has no embeddings API` },
    { status: 400 },
  );
}

function streamIds(model: string): StreamIds {
  return {
    id: `chatcmpl-${randomBase64url(18)}`,
    created: Math.floor(Date.now() / 1000),
    model,
  };
}

/**
 * Vectors as the caller asked for them: the OpenAI SDKs ask for base64 (little-endian float32) by
 * default, and providers that only answer float arrays (or adapters that drop the option) are encoded
 * here, so every provider looks the same to the caller.
 */
function encodeBase64(response: EmbeddingsResponse): void {
  for (const item of response.data) {
    if (!Array.isArray(item.embedding)) continue;
    const floats = Float32Array.from(item.embedding);
    item.embedding = Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
  }
}

/** The text of string inputs (token-array inputs have none: their length is their count). */
function embeddingsText(input: EmbeddingsRequest['input']): string {
  if (typeof input === 'string') return input;
  if (Array.isArray(input)) return input.filter((x) => typeof x === 'string').join('\n');
  return '';
}

/** Tokens of token-array inputs (`[1, 2, 3]` or `[[1, 2], [3]]`), which need no counting. */
function inputTokenCount(input: EmbeddingsRequest['input']): number {
  if (!Array.isArray(input)) return 0;
  let n = 0;
  for (const x of input as unknown[]) {
    if (typeof x === 'number') n++;
    else if (Array.isArray(x)) n += x.length;
  }
  return n;
}
