/**
 * Shape checks of OpenAI-format request bodies (Chat Completions, Embeddings), before anything is spent
 * on them. Only what Keyway or every provider relies on is checked — types of the known fields, roles,
 * the tool-call structure — and the first problem is answered as 400 KW_ERR_BAD_REQUEST with its JSON
 * pointer (`/messages/0/role`), which OpenAI clients show as the error's `param`. Unknown fields pass
 * through: providers evolve faster than gateways.
 */
import { bad, isObject, optional, requireModel } from '../request-checks.js';
import type { ChatRequest, EmbeddingsRequest } from '../types.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
const TOOL_CHOICES = new Set(['none', 'auto', 'required']);
const FORMATS = new Set(['text', 'json_object', 'json_schema']);

export function validateChatRequest(body: Record<string, unknown>): ChatRequest {
  requireModel(body);
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    bad('/messages', 'must be a non-empty array of messages');
  (messages as unknown[]).forEach((m, i) => checkMessage(m, `/messages/${i}`));
  optional(body, 'stream', 'boolean');
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!isObject(body.stream_options)) bad('/stream_options', 'must be an object');
    optional(body.stream_options, 'include_usage', 'boolean', '/stream_options');
  }
  for (const f of ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty'])
    optional(body, f, 'number');
  for (const f of ['max_tokens', 'max_completion_tokens', 'n', 'seed']) optionalInteger(body, f);
  if (typeof body.n === 'number' && body.n < 1) bad('/n', 'must be at least 1');
  optional(body, 'parallel_tool_calls', 'boolean');
  optional(body, 'user', 'string');
  const stop = body.stop;
  if (
    stop !== undefined &&
    stop !== null &&
    typeof stop !== 'string' &&
    !(Array.isArray(stop) && stop.every((s) => typeof s === 'string'))
  )
    bad('/stop', 'must be a string or an array of strings');
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) bad('/tools', 'must be an array');
    (body.tools as unknown[]).forEach((t, i) => {
      if (!isObject(t) || t.type !== 'function') bad(`/tools/${i}/type`, 'must be "function"');
      const fn = t.function;
      if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '')
        bad(`/tools/${i}/function/name`, 'must be a non-empty string');
      if (fn.parameters !== undefined && !isObject(fn.parameters))
        bad(`/tools/${i}/function/parameters`, 'must be a JSON Schema object');
    });
  }
  const choice = body.tool_choice;
  if (choice !== undefined && choice !== null) {
    const named =
      isObject(choice) &&
      choice.type === 'function' &&
      isObject(choice.function) &&
      typeof choice.function.name === 'string';
    if (!(typeof choice === 'string' && TOOL_CHOICES.has(choice)) && !named)
      bad('/tool_choice', 'must be "none", "auto", "required" or {"type":"function","function":{"name"}}');
  }
  const format = body.response_format;
  if (format !== undefined && format !== null) {
    if (!isObject(format) || typeof format.type !== 'string' || !FORMATS.has(format.type))
      bad('/response_format/type', 'must be "text", "json_object" or "json_schema"');
    if (
      format.type === 'json_schema' &&
      (!isObject(format.json_schema) || typeof format.json_schema.name !== 'string')
    )
      bad('/response_format/json_schema/name', 'is required with type "json_schema"');
  }
  return body as ChatRequest;
}

export function validateEmbeddingsRequest(body: Record<string, unknown>): EmbeddingsRequest {
  requireModel(body);
  const input = body.input;
  const ok =
    (typeof input === 'string' && input !== '') ||
    (Array.isArray(input) &&
      input.length > 0 &&
      (input.every((x) => typeof x === 'string') ||
        input.every((x) => Number.isInteger(x)) ||
        input.every((x) => Array.isArray(x) && x.length > 0 && x.every((n) => Number.isInteger(n)))));
  if (!ok)
    bad('/input', 'must be a non-empty string, array of strings, array of tokens or array of token arrays');
  const enc = body.encoding_format;
  if (enc !== undefined && enc !== 'float' && enc !== 'base64')
    bad('/encoding_format', 'must be "float" or "base64"');
  optionalInteger(body, 'dimensions');
  optional(body, 'user', 'string');
  return body as unknown as EmbeddingsRequest;
}

function checkMessage(m: unknown, at: string): void {
  if (!isObject(m)) bad(at, 'must be an object');
  const msg = m;
  if (typeof msg.role !== 'string' || !ROLES.has(msg.role))
    bad(`${at}/role`, 'must be one of system, developer, user, assistant, tool');
  const content = msg.content;
  // An assistant turn that only called tools (or a legacy function) has no content.
  const called = (Array.isArray(msg.tool_calls) && msg.tool_calls.length > 0) || isObject(msg.function_call);
  if (content === null || content === undefined) {
    if (!(msg.role === 'assistant' && called)) bad(`${at}/content`, 'is required');
  } else if (Array.isArray(content)) {
    content.forEach((p, j) => {
      if (!isObject(p) || typeof p.type !== 'string') bad(`${at}/content/${j}/type`, 'must be a string');
      if (p.type === 'text' && typeof p.text !== 'string') bad(`${at}/content/${j}/text`, 'must be a string');
    });
  } else if (typeof content !== 'string') {
    bad(`${at}/content`, 'must be a string or an array of content parts');
  }
  optional(msg, 'name', 'string', at);
  if (msg.tool_calls !== undefined) {
    if (msg.role !== 'assistant') bad(`${at}/tool_calls`, 'is only allowed on assistant messages');
    if (!Array.isArray(msg.tool_calls)) bad(`${at}/tool_calls`, 'must be an array');
    (msg.tool_calls as unknown[]).forEach((t, j) => {
      const p = `${at}/tool_calls/${j}`;
      if (!isObject(t) || typeof t.id !== 'string') bad(`${p}/id`, 'must be a string');
      const fn = t.function;
      if (!isObject(fn) || typeof fn.name !== 'string') bad(`${p}/function/name`, 'must be a string');
      if (typeof fn.arguments !== 'string') bad(`${p}/function/arguments`, 'must be a string (JSON text)');
    });
  }
  if (msg.role === 'tool' && typeof msg.tool_call_id !== 'string')
    bad(`${at}/tool_call_id`, 'is required on tool messages');
}

function optionalInteger(obj: Record<string, unknown>, field: string): void {
  const v = obj[field];
  if (v !== undefined && v !== null && !Number.isInteger(v)) bad(`/${field}`, 'must be an integer');
}
