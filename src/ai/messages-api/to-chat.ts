/**
 * A `/v1/messages` request (Anthropic format, already shape-checked) as a canonical chat request, so any
 * provider can serve it:
 *
 * - `system` (string or text blocks) and `system`-role messages → system messages, one per block (an
 *   Anthropic target gets the same blocks back);
 * - user turns: `tool_result` blocks → `tool` messages (first, in order), text and image blocks → one
 *   user message (base64 images as data: URLs, url images as links);
 * - assistant turns: text blocks joined, `tool_use` blocks → tool calls (input serialised as arguments);
 *   thinking blocks are dropped (no other provider can take them back);
 * - tools (input_schema → parameters), tool_choice auto/any/tool/none → auto/required/function/none,
 *   `disable_parallel_tool_use` → `parallel_tool_calls: false`;
 * - max_tokens → max_completion_tokens (what current OpenAI models require; every adapter reads it),
 *   stop_sequences → stop, temperature, top_p, metadata.user_id → user, stream (with usage
 *   always requested), `output_config.format` → response_format json_schema.
 *
 * Not carried: `thinking` and `top_k` (an OpenAI-family provider would refuse the unknown fields, and
 * thinking needs its blocks round-tripped), `cache_control` (each provider caches its own way),
 * `is_error` on tool results (no equivalent). docs/ai-providers.md lists these.
 */
import type { ChatMessage, ChatRequest, ContentPart, ToolCall, ToolChoice } from '../types.js';
import type * as A from './wire.js';

export function toChatRequest(req: A.MessagesRequest): ChatRequest {
  const messages: ChatMessage[] = [...systemMessages(req.system)];
  for (const m of req.messages) messages.push(...convert(m));
  const chat: ChatRequest = { model: req.model, messages, max_completion_tokens: req.max_tokens };
  if (req.stop_sequences !== undefined && req.stop_sequences.length > 0) chat.stop = req.stop_sequences;
  if (req.temperature !== undefined && req.temperature !== null) chat.temperature = req.temperature;
  if (req.top_p !== undefined && req.top_p !== null) chat.top_p = req.top_p;
  const user = req.metadata?.user_id;
  if (typeof user === 'string' && user !== '') chat.user = user;
  if (req.stream === true) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  const tools = req.tools ?? [];
  if (tools.length > 0) {
    chat.tools = tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description === undefined ? {} : { description: t.description }),
        parameters: t.input_schema,
      },
    }));
    applyToolChoice(chat, req.tool_choice);
  }
  const format = req.output_config?.format;
  if (format !== undefined && format !== null)
    chat.response_format = {
      type: 'json_schema',
      json_schema: { name: 'output', schema: format.schema, strict: true },
    };
  return chat;
}

function applyToolChoice(chat: ChatRequest, choice: A.ToolChoice | undefined | null): void {
  if (choice === undefined || choice === null) return;
  const map: Record<A.ToolChoice['type'], ToolChoice> = {
    auto: 'auto',
    any: 'required',
    none: 'none',
    tool: { type: 'function', function: { name: choice.type === 'tool' ? choice.name : '' } },
  };
  chat.tool_choice = map[choice.type];
  if (choice.type !== 'none' && choice.disable_parallel_tool_use === true) chat.parallel_tool_calls = false;
}

function systemMessages(system: A.MessagesRequest['system'] | null): ChatMessage[] {
  if (system === undefined || system === null) return [];
  if (typeof system === 'string') return system === '' ? [] : [{ role: 'system', content: system }];
  return system.filter((b) => b.text !== '').map((b) => ({ role: 'system', content: b.text }));
}

function convert(m: A.RequestMessage): ChatMessage[] {
  if (m.role === 'system')
    return systemMessages(typeof m.content === 'string' ? m.content : (m.content as A.TextBlock[]));
  if (typeof m.content === 'string') return [{ role: m.role, content: m.content }];
  return m.role === 'user' ? userMessages(m.content) : assistantMessages(m.content);
}

function userMessages(blocks: A.RequestBlock[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  for (const b of blocks) {
    if (b.type === 'tool_result')
      out.push({ role: 'tool', tool_call_id: b.tool_use_id, content: resultContent(b) });
    else if (b.type === 'text' || b.type === 'image') parts.push(part(b));
  }
  if (parts.length > 0)
    out.push({
      role: 'user',
      content: parts.length === 1 && parts[0]?.type === 'text' ? parts[0].text : parts,
    });
  return out;
}

function assistantMessages(blocks: A.RequestBlock[]): ChatMessage[] {
  let text = '';
  const calls: ToolCall[] = [];
  for (const b of blocks) {
    if (b.type === 'text') text += b.text;
    else if (b.type === 'tool_use')
      calls.push({
        id: b.id,
        type: 'function',
        function: { name: b.name, arguments: JSON.stringify(b.input) },
      });
  }
  if (text === '' && calls.length === 0) return [];
  return [
    {
      role: 'assistant',
      content: text === '' ? null : text,
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
    },
  ];
}

/** Text-only results become one string (what every provider takes); results with images keep parts. */
function resultContent(b: A.ToolResultBlock): ChatMessage['content'] {
  if (b.content === undefined) return '';
  if (typeof b.content === 'string') return b.content;
  const parts = b.content.map(part);
  if (parts.every((p) => p.type === 'text'))
    return parts.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
  return parts;
}

function part(b: A.TextBlock | A.ImageBlock): ContentPart {
  if (b.type === 'text') return { type: 'text', text: b.text };
  const url =
    b.source.type === 'base64' ? `data:${b.source.media_type};base64,${b.source.data}` : b.source.url;
  return { type: 'image_url', image_url: { url } };
}
