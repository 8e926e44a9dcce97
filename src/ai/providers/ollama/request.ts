/**
 * A canonical chat request as an Ollama native chat request (POST {base}/api/chat,
 * https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion):
 *
 * - messages keep their roles (developer → system); content is text, images go in `images` as bare
 *   base64 (data: URLs only — Ollama cannot fetch a URL);
 * - assistant `tool_calls` → `tool_calls` with `arguments` as an object; `tool` messages → role `tool`
 *   with `tool_name` (the name of the call they answer);
 * - tools as OpenAI sends them (Ollama uses the same shape); tool_choice `none` drops the tools, other
 *   choices cannot be expressed (Ollama lets the model decide);
 * - `options`: num_predict (max tokens), temperature, top_p, top_k, stop, seed, presence/frequency
 *   penalties; response_format json_object → `format: "json"`, json_schema → `format: <schema>`;
 * - `stream` is always explicit: Ollama streams unless told `false`.
 */
import type { AttemptTarget, ChatMessage, ChatRequest, UpstreamCall } from '../../types.js';
import { apiUrl, partsOf, textOf } from '../common/content.js';
import { parseDataUrl } from '../common/data-url.js';
import { badRequest, type Json, parseToolArguments, stopList } from '../common/shape.js';

export function ollamaRequest(req: ChatRequest, target: AttemptTarget): UpstreamCall {
  return {
    method: 'POST',
    url: apiUrl(target.provider.baseUrl, 'api', 'chat'),
    headers: ollamaHeaders(target),
    body: JSON.stringify(ollamaBody(req, target.model)),
  };
}

/** A local Ollama needs no key; one behind an authenticating proxy (or Ollama's cloud) takes a bearer. */
export function ollamaHeaders(target: AttemptTarget): Record<string, string> {
  const headers: Record<string, string> = { ...target.provider.headers, 'content-type': 'application/json' };
  if (target.key !== undefined) headers['authorization'] = `Bearer ${target.key}`;
  return headers;
}

export function ollamaBody(req: ChatRequest, model: string): Json {
  if (req.n !== undefined && req.n > 1) throw badRequest('n > 1 is not supported by ollama providers');
  const names = new Map<string, string>();
  const body: Json = {
    model,
    messages: req.messages.map((m, i) => message(m, i, names)),
    stream: req.stream === true,
  };
  if (req.tools !== undefined && req.tools.length > 0 && req.tool_choice !== 'none')
    body['tools'] = req.tools;
  const format = req.response_format;
  if (format?.type === 'json_object') body['format'] = 'json';
  else if (format?.type === 'json_schema') body['format'] = format.json_schema.schema ?? 'json';
  const options = ollamaOptions(req);
  if (Object.keys(options).length > 0) body['options'] = options;
  return body;
}

function ollamaOptions(req: ChatRequest): Json {
  const o: Json = {};
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (max !== undefined) o['num_predict'] = max;
  if (req.temperature !== undefined) o['temperature'] = req.temperature;
  if (req.top_p !== undefined) o['top_p'] = req.top_p;
  if (typeof req['top_k'] === 'number') o['top_k'] = req['top_k'];
  const stop = stopList(req.stop);
  if (stop !== undefined) o['stop'] = stop;
  if (req.seed !== undefined) o['seed'] = req.seed;
  if (req.presence_penalty !== undefined) o['presence_penalty'] = req.presence_penalty;
  if (req.frequency_penalty !== undefined) o['frequency_penalty'] = req.frequency_penalty;
  return o;
}

function message(m: ChatMessage, i: number, names: Map<string, string>): Json {
  const role = m.role === 'developer' ? 'system' : m.role;
  const out: Json = { role, content: textOf(m.content) };
  const images = partsOf(m.content).flatMap((p, j) => {
    if (p.type !== 'image_url') return [];
    const inline = parseDataUrl(p.image_url.url);
    if (inline === undefined)
      throw badRequest(
        `messages[${i}].content[${j}].image_url.url must be a base64 data: URL for ollama providers`,
      );
    return [inline.data];
  });
  if (images.length > 0) out['images'] = images;
  if (m.tool_calls !== undefined && m.tool_calls.length > 0)
    out['tool_calls'] = m.tool_calls.map((call, j) => {
      names.set(call.id, call.function.name);
      return {
        function: {
          name: call.function.name,
          arguments: parseToolArguments(
            call.function.arguments,
            `messages[${i}].tool_calls[${j}].function.arguments`,
          ),
        },
      };
    });
  if (m.role === 'tool') {
    const name = (m.tool_call_id === undefined ? undefined : names.get(m.tool_call_id)) ?? m.name;
    if (name !== undefined) out['tool_name'] = name;
  }
  return out;
}
