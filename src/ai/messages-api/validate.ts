/**
 * Shape checks of `/v1/messages` request bodies (the Anthropic Messages format), before anything is
 * spent on them. The first problem is answered as 400 KW_ERR_BAD_REQUEST naming the field with a JSON
 * pointer (`/messages/1/content/0/tool_use_id`). Unknown top-level fields are ignored, as new API fields
 * appear faster than gateways learn them; features that would silently change the answer if ignored
 * (server tools, MCP servers, containers, document blocks) are refused by name instead.
 */
import { bad, isObject, optional, requireModel, type Obj } from '../request-checks.js';
import type { MessagesRequest } from './wire.js';

/** Content blocks of an assistant turn that have no counterpart elsewhere and are dropped (documented). */
const DROPPED_ASSISTANT_BLOCKS = new Set(['thinking', 'redacted_thinking']);

/**
 * Fields whose features would be missing if ignored (their tools and files live at Anthropic). Fields that
 * only tune how Anthropic runs the call (context_management, inference_geo, speed…) are ignored instead.
 */
const UNSUPPORTED_FIELDS = ['mcp_servers', 'container'] as const;

export function validateMessagesRequest(body: Obj): MessagesRequest {
  requireModel(body);
  const max = body['max_tokens'];
  if (!Number.isInteger(max) || (max as number) < 1) bad('/max_tokens', 'is required: a positive integer');
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0)
    bad('/messages', 'must be a non-empty array of messages');
  (messages as unknown[]).forEach((m, i) => checkMessage(m, `/messages/${i}`));
  checkSystem(body['system'], '/system');
  const stops = body['stop_sequences'];
  if (stops !== undefined && !(Array.isArray(stops) && stops.every((s) => typeof s === 'string')))
    bad('/stop_sequences', 'must be an array of strings');
  optional(body, 'stream', 'boolean');
  for (const f of ['temperature', 'top_p', 'top_k']) optional(body, f, 'number');
  checkTools(body['tools']);
  checkToolChoice(body['tool_choice']);
  const metadata = body['metadata'];
  if (metadata !== undefined && metadata !== null) {
    if (!isObject(metadata)) bad('/metadata', 'must be an object');
    const user = metadata['user_id'];
    if (user !== undefined && user !== null && typeof user !== 'string')
      bad('/metadata/user_id', 'must be a string');
  }
  checkOutputConfig(body['output_config']);
  for (const f of UNSUPPORTED_FIELDS)
    if (body[f] !== undefined && body[f] !== null) bad(`/${f}`, 'is not supported by Keyway’s /v1/messages');
  return body as unknown as MessagesRequest;
}

function checkMessage(m: unknown, at: string): void {
  if (!isObject(m)) bad(at, 'must be an object');
  const role = m['role'];
  if (role !== 'user' && role !== 'assistant' && role !== 'system')
    bad(`${at}/role`, 'must be "user" or "assistant"');
  const content = m['content'];
  if (typeof content === 'string') return;
  if (!Array.isArray(content)) bad(`${at}/content`, 'must be a string or an array of content blocks');
  (content as unknown[]).forEach((b, j) => checkBlock(b, role, `${at}/content/${j}`));
}

function checkBlock(b: unknown, role: string, at: string): void {
  if (!isObject(b) || typeof b['type'] !== 'string') bad(`${at}/type`, 'must be a string');
  const type = b['type'];
  if (type === 'text') return requireString(b, 'text', at);
  if (role === 'system') bad(`${at}/type`, 'must be "text" in a system message');
  if (type === 'image') return checkImage(b, at);
  if (type === 'tool_use') {
    if (role !== 'assistant') bad(`${at}/type`, '"tool_use" blocks belong to assistant messages');
    requireString(b, 'id', at);
    requireString(b, 'name', at);
    if (!isObject(b['input'])) bad(`${at}/input`, 'must be an object');
    return;
  }
  if (type === 'tool_result') {
    if (role !== 'user') bad(`${at}/type`, '"tool_result" blocks belong to user messages');
    requireString(b, 'tool_use_id', at);
    optional(b, 'is_error', 'boolean', at);
    const content = b['content'];
    if (content === undefined || typeof content === 'string') return;
    if (!Array.isArray(content))
      bad(`${at}/content`, 'must be a string or an array of text and image blocks');
    (content as unknown[]).forEach((c, k) => {
      const where = `${at}/content/${k}`;
      if (!isObject(c) || (c['type'] !== 'text' && c['type'] !== 'image'))
        bad(`${where}/type`, 'must be "text" or "image"');
      if (c['type'] === 'text') requireString(c, 'text', where);
      else checkImage(c, where);
    });
    return;
  }
  if (role === 'assistant' && DROPPED_ASSISTANT_BLOCKS.has(type)) return;
  bad(`${at}/type`, `"${String(type)}" blocks are not supported by Keyway’s /v1/messages`);
}

function checkImage(b: Obj, at: string): void {
  const source = b['source'];
  if (!isObject(source)) bad(`${at}/source`, 'must be an object');
  if (source['type'] === 'base64') {
    requireString(source, 'media_type', `${at}/source`);
    requireString(source, 'data', `${at}/source`);
  } else if (source['type'] === 'url') requireString(source, 'url', `${at}/source`);
  else bad(`${at}/source/type`, 'must be "base64" or "url"');
}

function checkSystem(system: unknown, at: string): void {
  if (system === undefined || system === null || typeof system === 'string') return;
  if (!Array.isArray(system)) bad(at, 'must be a string or an array of text blocks');
  system.forEach((b, i) => {
    if (!isObject(b) || b['type'] !== 'text') bad(`${at}/${i}/type`, 'must be "text"');
    requireString(b, 'text', `${at}/${i}`);
  });
}

function checkTools(tools: unknown): void {
  if (tools === undefined || tools === null) return;
  if (!Array.isArray(tools)) bad('/tools', 'must be an array');
  tools.forEach((t, i) => {
    const at = `/tools/${i}`;
    if (!isObject(t)) bad(at, 'must be an object');
    const type = t['type'];
    if (type !== undefined && type !== null && type !== 'custom')
      bad(`${at}/type`, `server tools (${JSON.stringify(type)}) are not supported by Keyway’s /v1/messages`);
    if (typeof t['name'] !== 'string' || t['name'] === '') bad(`${at}/name`, 'must be a non-empty string');
    optional(t, 'description', 'string', at);
    if (!isObject(t['input_schema'])) bad(`${at}/input_schema`, 'must be a JSON Schema object');
  });
}

function checkToolChoice(choice: unknown): void {
  if (choice === undefined || choice === null) return;
  if (!isObject(choice) || !['auto', 'any', 'tool', 'none'].includes(choice['type'] as string))
    bad('/tool_choice/type', 'must be "auto", "any", "tool" or "none"');
  if (choice['type'] === 'tool') requireString(choice, 'name', '/tool_choice');
  optional(choice, 'disable_parallel_tool_use', 'boolean', '/tool_choice');
}

function checkOutputConfig(config: unknown): void {
  if (config === undefined || config === null) return;
  if (!isObject(config)) bad('/output_config', 'must be an object');
  const format = config['format'];
  if (format === undefined || format === null) return;
  if (!isObject(format) || format['type'] !== 'json_schema')
    bad('/output_config/format/type', 'must be "json_schema"');
  if (!isObject(format['schema'])) bad('/output_config/format/schema', 'must be a JSON Schema object');
}

function requireString(obj: Obj, field: string, at: string): void {
  if (typeof obj[field] !== 'string') bad(`${at}/${field}`, 'must be a string');
}
