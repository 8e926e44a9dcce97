/**
 * What the mock provider answers, as pure functions of the request: the OpenAI Chat Completions and
 * Embeddings wire format, deterministic, with usage counted by Keyway's tokenizer so cost and budgets
 * work as with a real provider.
 *
 * By model name (the target's `model`):
 *   mock-error-<status>   answers that status (400–599) with an OpenAI-style error body; 429 and 503 carry
 *                         `retry-after-ms: 100` — to demonstrate retries, fallbacks and error answers;
 *   mock-error-stream     a stream that breaks after its first chunk (a non-streamed call: the connection
 *                         is cut before any answer);
 *   anything else         the answer: the provider's `x-mock-reply` header if configured (`headers` on the
 *                         provider resource), else the last user message, echoed.
 */
import { createHash } from 'node:crypto';
import { countTokens, promptText } from '../../tokens.js';
import type { ChatRequest } from '../../types.js';

export interface MockRequest {
  method: string;
  /** Path with query. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface MockReply {
  status: number;
  headers: Record<string, string>;
  /** Body pieces, sent one at a time (a stream's events; one piece for a JSON answer). */
  body: string[];
  /** Cut the connection after the pieces instead of ending the response (a broken stream). */
  cut?: boolean;
}

/** The header a provider resource sets (`headers: {x-mock-reply: …}`) to make every answer that text. */
export const REPLY_HEADER = 'x-mock-reply';
const ERROR_MODEL = /^mock-error-([45]\d\d)$/;
const BREAK_MODEL = 'mock-error-stream';
/** A stream has at most this many content chunks (longer replies are grouped): a mock need not send 10⁶ events. */
const MAX_CHUNKS = 64;
/** Dimensions of a mock embedding when the caller asks for none. */
const EMBEDDING_DIMENSIONS = 8;

export function mockAnswer(req: MockRequest): MockReply {
  const path = req.path.split('?', 1)[0] ?? '';
  if (req.method === 'POST' && path.endsWith('/chat/completions')) return chat(req);
  if (req.method === 'POST' && path.endsWith('/embeddings')) return embeddings(req);
  return error(404, `the mock provider has no endpoint ${req.method} ${path}`, 'not_found_error');
}

function chat(req: MockRequest): MockReply {
  const body = parse(req.body);
  if (body === undefined || !Array.isArray(body.messages))
    return error(400, 'the mock provider expects a chat completions request', 'invalid_request_error');
  const chatReq = body as ChatRequest;
  const model = typeof chatReq.model === 'string' ? chatReq.model : 'mock';
  const failing = ERROR_MODEL.exec(model);
  if (failing !== null) return simulatedError(Number(failing[1]), model);
  const breaks = model === BREAK_MODEL;
  if (breaks && chatReq.stream !== true) return { status: 200, headers: {}, body: [], cut: true };

  const reply = replyText(chatReq, req.headers[REPLY_HEADER]);
  const promptTokens = countTokens(promptText(chatReq));
  const completionTokens = countTokens(reply);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const id = `chatcmpl-mock-${digest(req.body).slice(0, 24)}`;
  const created = Math.floor(Date.now() / 1000);
  const common = { id, created, model, system_fingerprint: 'keyway-mock' };

  if (chatReq.stream !== true) {
    const completion = {
      ...common,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: reply, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage,
    };
    return json(200, completion);
  }

  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    event({
      ...common,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  const pieces = splitReply(reply);
  const events = [chunk({ role: 'assistant', content: '' }, null)];
  if (breaks) {
    events.push(chunk({ content: pieces[0] ?? '' }, null));
    return { status: 200, headers: SSE_HEADERS, body: events, cut: true };
  }
  for (const p of pieces) events.push(chunk({ content: p }, null));
  events.push(chunk({}, 'stop'));
  if (isObject(chatReq.stream_options) && chatReq.stream_options.include_usage === true)
    events.push(event({ ...common, object: 'chat.completion.chunk', choices: [], usage }));
  events.push('data: [DONE]\n\n');
  return { status: 200, headers: SSE_HEADERS, body: events };
}

function embeddings(req: MockRequest): MockReply {
  const body = parse(req.body);
  const input = body?.input;
  const texts =
    typeof input === 'string'
      ? [input]
      : Array.isArray(input)
        ? (input as unknown[]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
        : undefined;
  if (body === undefined || texts === undefined)
    return error(400, 'the mock provider expects an embeddings request', 'invalid_request_error');
  const model = typeof body.model === 'string' ? body.model : 'mock';
  const failing = ERROR_MODEL.exec(model);
  if (failing !== null) return simulatedError(Number(failing[1]), model);
  const dims =
    typeof body.dimensions === 'number' && body.dimensions > 0
      ? Math.min(body.dimensions, 64)
      : EMBEDDING_DIMENSIONS;
  const tokens = texts.reduce((n, t) => n + countTokens(t), 0);
  return json(200, {
    object: 'list',
    data: texts.map((t, index) => ({ object: 'embedding', index, embedding: vectorOf(model, t, dims) })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/** The answer's text: the configured reply, else the last user message, else a greeting. */
function replyText(req: ChatRequest, configured: string | string[] | undefined): string {
  const fixed = Array.isArray(configured) ? configured[0] : configured;
  if (fixed !== undefined && fixed !== '') return fixed;
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i];
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string' && m.content !== '') return m.content;
    if (Array.isArray(m.content)) {
      const text = m.content
        .filter((p) => p.type === 'text')
        .map((p) => p.text)
        .join('\n');
      if (text !== '') return text;
    }
  }
  return 'Hello from the Keyway mock provider.';
}

/** Words with their following spaces, grouped into at most MAX_CHUNKS pieces; joined, they are `text`. */
export function splitReply(text: string): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? [text];
  if (words.length <= MAX_CHUNKS) return words;
  const per = Math.ceil(words.length / MAX_CHUNKS);
  const out: string[] = [];
  for (let i = 0; i < words.length; i += per) out.push(words.slice(i, i + per).join(''));
  return out;
}

function simulatedError(status: number, model: string): MockReply {
  const type =
    status === 401
      ? 'authentication_error'
      : status === 403
        ? 'permission_error'
        : status === 404
          ? 'not_found_error'
          : status === 429
            ? 'rate_limit_error'
            : status < 500
              ? 'invalid_request_error'
              : 'server_error';
  const reply = error(status, `mock provider: simulated ${status} for model ${model}`, type);
  // Short enough that the demonstration stays quick, long enough to show Retry-After reaching the caller.
  if (status === 429 || status === 503) reply.headers['retry-after-ms'] = '100';
  return reply;
}

function error(status: number, message: string, type: string): MockReply {
  return json(status, { error: { message, type, param: null, code: 'mock_error' } });
}

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

function json(status: number, body: unknown): MockReply {
  return { status, headers: { 'content-type': 'application/json' }, body: [JSON.stringify(body)] };
}

function event(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** A unit vector derived from the model and the text: the same input always embeds the same way. */
function vectorOf(model: string, text: string, dims: number): number[] {
  const bytes = createHash('sha512').update(`${model}\u0000${text}`).digest();
  const v = Array.from({ length: dims }, (_, i) => (bytes[i % bytes.length] ?? 0) / 127.5 - 1);
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.round((x / norm) * 1e6) / 1e6);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
