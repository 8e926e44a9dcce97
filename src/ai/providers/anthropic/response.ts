/**
 * An Anthropic `message` as a canonical chat completion: text blocks joined into the content, `tool_use`
 * blocks as tool calls (input re-serialised as the arguments string), the JSON-mode tool's input as the
 * content. Thinking and server-tool blocks have no OpenAI counterpart and are left out.
 */
import type { ChatResponse, StreamIds, ToolCall } from '../../types.js';
import { assistantChoice, chatCompletion } from '../common/completion.js';
import { asArray, asObject, asString } from '../common/shape.js';
import { JSON_TOOL_NAME } from './json-mode.js';
import { anthropicUsage, finishReason } from './mapping.js';

export function anthropicResponse(body: unknown, ids: StreamIds): ChatResponse {
  const msg = asObject(body);
  if (msg === undefined || msg['type'] !== 'message')
    // The engine answers a 200 it cannot read as a malformed provider answer (502).
    throw new Error('the provider answered 200 without a message');
  let text = '';
  let json: string | undefined;
  const calls: ToolCall[] = [];
  for (const raw of asArray(msg['content'])) {
    const block = asObject(raw);
    if (block === undefined) continue;
    if (block['type'] === 'text') text += asString(block['text']) ?? '';
    else if (block['type'] === 'tool_use') {
      const args = JSON.stringify(asObject(block['input']) ?? {});
      const name = asString(block['name']) ?? '';
      if (name === JSON_TOOL_NAME) json = args;
      else
        calls.push({
          id: asString(block['id']) ?? '',
          type: 'function',
          function: { name, arguments: args },
        });
    }
  }
  // In JSON mode the tool input (never empty: at least `{}`) is the answer; any prose around it is the
  // model thinking aloud.
  const choice = assistantChoice(0, json ?? text, calls, finishReason(msg['stop_reason'], calls.length > 0));
  return chatCompletion(ids, [choice], anthropicUsage(msg['usage']));
}
