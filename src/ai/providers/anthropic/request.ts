/**
 * A canonical chat request as an Anthropic Messages request (POST {base}/v1/messages):
 *
 * - system and developer messages → top-level `system` text blocks, in order (Anthropic has no system
 *   role inside `messages`);
 * - user content parts → text / image blocks (data: URLs → base64 source, http(s) → url source);
 * - assistant `tool_calls` → `tool_use` blocks (arguments parsed back into the `input` object);
 * - `tool` messages → `tool_result` blocks in a user turn, all results of one round in one turn;
 * - consecutive messages of one role merged into one turn, `tool_result` blocks first, as the API wants;
 * - tools → `tools` (input_schema), tool_choice auto/required/function/none → auto/any/tool/none,
 *   `parallel_tool_calls: false` → `disable_parallel_tool_use`;
 * - max_completion_tokens / max_tokens → `max_tokens` (required by Anthropic: 4096 when absent);
 * - stop → `stop_sequences`; temperature, top_p (top_p is dropped when temperature is also set: current
 *   Claude models refuse both); user → `metadata.user_id`; response_format → the JSON tool (json-mode.ts);
 * - Anthropic-only fields a caller may set (`top_k`, `thinking`, `service_tier`, e.g. from `/v1/messages`)
 *   are passed through. seed, penalties, logprobs have no Anthropic equivalent and are left out; n > 1 is
 *   refused (Anthropic returns one answer).
 */
import type * as A from '../../messages-api/wire.js';
import { DEFAULT_ANTHROPIC_VERSION } from '../../messages-api/wire.js';
import type { AttemptTarget, ChatMessage, ChatRequest, ContentPart, UpstreamCall } from '../../types.js';
import { apiUrl, partsOf, textOf } from '../common/content.js';
import { parseDataUrl } from '../common/data-url.js';
import { asObject, badRequest, parseToolArguments, stopList } from '../common/shape.js';
import { jsonTool, jsonToolChoice } from './json-mode.js';

/** `max_tokens` when the caller set none: Anthropic requires one; 4096 fits every current Claude model. */
export const DEFAULT_MAX_TOKENS = 4096;

export function anthropicRequest(req: ChatRequest, target: AttemptTarget): UpstreamCall {
  const provider = target.provider;
  const headers: Record<string, string> = {
    ...provider.headers,
    'content-type': 'application/json',
    'anthropic-version': provider.apiVersion ?? DEFAULT_ANTHROPIC_VERSION,
  };
  if (target.key !== undefined) headers['x-api-key'] = target.key;
  return {
    method: 'POST',
    url: apiUrl(provider.baseUrl, 'v1', 'messages'),
    headers,
    body: JSON.stringify(anthropicBody(req, target.model)),
  };
}

export function anthropicBody(req: ChatRequest, model: string): A.MessagesRequest {
  if (req.n !== undefined && req.n > 1) throw badRequest('n > 1 is not supported by anthropic providers');
  const { system, messages } = convertMessages(req.messages);
  const body: A.MessagesRequest = {
    model,
    messages,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS,
  };
  if (system.length > 0) body.system = system;
  const stop = stopList(req.stop);
  if (stop !== undefined) body.stop_sequences = stop;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  else if (req.top_p !== undefined) body.top_p = req.top_p;
  if (typeof req['top_k'] === 'number') body.top_k = req['top_k'];
  const thinking = asObject(req['thinking']);
  if (thinking !== undefined) body.thinking = thinking;
  if (typeof req['service_tier'] === 'string') body.service_tier = req['service_tier'];
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  if (req.stream === true) body.stream = true;
  applyTools(body, req, thinking !== undefined && thinking['type'] !== 'disabled');
  return body;
}

function applyTools(body: A.MessagesRequest, req: ChatRequest, thinking: boolean): void {
  const tools: A.Tool[] = (req.tools ?? []).map((t) => ({
    name: t.function.name,
    ...(t.function.description === undefined ? {} : { description: t.function.description }),
    input_schema: t.function.parameters ?? { type: 'object', properties: {} },
  }));
  const json = jsonTool(req);
  if (json !== undefined) {
    body.tools = [...tools, json];
    body.tool_choice = jsonToolChoice(req, thinking);
    return;
  }
  if (tools.length === 0) return;
  body.tools = tools;
  const choice = toolChoice(req);
  if (choice !== undefined) body.tool_choice = choice;
}

function toolChoice(req: ChatRequest): A.ToolChoice | undefined {
  const serial = req.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  const choice = req.tool_choice;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...serial };
  if (typeof choice === 'object') return { type: 'tool', name: choice.function.name, ...serial };
  return req.parallel_tool_calls === false ? { type: 'auto', ...serial } : undefined;
}

function convertMessages(messages: ChatMessage[]): { system: A.TextBlock[]; messages: A.RequestMessage[] } {
  const system: A.TextBlock[] = [];
  const out: Array<{ role: 'user' | 'assistant'; content: A.RequestBlock[] }> = [];
  const push = (role: 'user' | 'assistant', blocks: A.RequestBlock[]): void => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  messages.forEach((m, i) => {
    if (m.role === 'system' || m.role === 'developer') {
      const text = textOf(m.content);
      if (text !== '') system.push({ type: 'text', text });
    } else if (m.role === 'user')
      push(
        'user',
        partsOf(m.content).map((p, j) => block(p, `messages[${i}].content[${j}]`)),
      );
    else if (m.role === 'assistant') push('assistant', assistantBlocks(m, i));
    else push('user', [toolResult(m, i)]);
  });
  for (const turn of out) if (turn.role === 'user') turn.content.sort(resultsFirst);
  return { system, messages: out };
}

/** Stable sort key: tool results lead their user turn (Array.prototype.sort is stable). */
function resultsFirst(a: A.RequestBlock, b: A.RequestBlock): number {
  return Number(b.type === 'tool_result') - Number(a.type === 'tool_result');
}

function assistantBlocks(m: ChatMessage, i: number): A.RequestBlock[] {
  const blocks: A.RequestBlock[] = [];
  const text = textOf(m.content);
  if (text !== '') blocks.push({ type: 'text', text });
  (m.tool_calls ?? []).forEach((call, j) =>
    blocks.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseToolArguments(
        call.function.arguments,
        `messages[${i}].tool_calls[${j}].function.arguments`,
      ),
    }),
  );
  return blocks;
}

function toolResult(m: ChatMessage, i: number): A.ToolResultBlock {
  if (m.tool_call_id === undefined || m.tool_call_id === '')
    throw badRequest(`messages[${i}].tool_call_id is required for role "tool"`);
  const result: A.ToolResultBlock = { type: 'tool_result', tool_use_id: m.tool_call_id };
  if (typeof m.content === 'string') {
    if (m.content !== '') result.content = m.content;
  } else {
    const parts = partsOf(m.content).map((p, j) => block(p, `messages[${i}].content[${j}]`));
    if (parts.length > 0) result.content = parts;
  }
  return result;
}

function block(part: ContentPart, where: string): A.TextBlock | A.ImageBlock {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const url = part.image_url.url;
  const inline = parseDataUrl(url);
  if (inline !== undefined)
    return { type: 'image', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } };
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw badRequest(`${where}.image_url.url must be a base64 data: URL or an http(s) URL`);
}
