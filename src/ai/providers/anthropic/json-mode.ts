/**
 * JSON mode on Anthropic, the way LiteLLM does it: `response_format` (json_object or json_schema) becomes
 * one extra tool whose input schema is the requested schema, and the model is made to call it; the tool's
 * input is then handed back as the message content (a JSON string), not as a tool call. Forced tool use
 * works on every Claude model that has tools, where native structured outputs need a recent model.
 *
 * The tool has a reserved name, so the answer (and each stream event) can be recognised without knowing
 * the request. A caller tool of the same name is refused while JSON mode is on.
 */
import type * as A from '../../messages-api/wire.js';
import type { ChatRequest } from '../../types.js';
import { badRequest } from '../common/shape.js';

export const JSON_TOOL_NAME = 'keyway_json_response';

/** The forced tool for `response_format`, or undefined when the request wants text. */
export function jsonTool(req: ChatRequest): A.Tool | undefined {
  const format = req.response_format;
  if (format === undefined || format.type === 'text') return undefined;
  if (req.tools?.some((t) => t.function.name === JSON_TOOL_NAME))
    throw badRequest(`tool name "${JSON_TOOL_NAME}" is reserved while response_format asks for JSON`);
  if (format.type === 'json_object')
    return {
      name: JSON_TOOL_NAME,
      description: 'Respond with a JSON object. Put the whole answer in this tool call.',
      // `properties` must be present (Anthropic rejects null); additionalProperties lets any object through.
      input_schema: { type: 'object', properties: {}, additionalProperties: true },
    };
  const schema = format.json_schema.schema ?? { type: 'object', properties: {}, additionalProperties: true };
  return {
    name: JSON_TOOL_NAME,
    description:
      format.json_schema.description ??
      `Respond with a JSON object matching the "${format.json_schema.name}" schema. Put the whole answer in this tool call.`,
    input_schema: schema,
  };
}

/**
 * How the model is made to answer with the JSON tool. Extended thinking does not allow forcing a tool
 * (the API accepts only auto/none with it), so then the tool is only offered; with caller tools it must
 * call some tool (`any`): a real tool call or the JSON answer, never prose.
 */
export function jsonToolChoice(req: ChatRequest, thinking: boolean): A.ToolChoice {
  if (thinking) return { type: 'auto' };
  const callerTools = (req.tools?.length ?? 0) > 0 && req.tool_choice !== 'none';
  const choice = req.tool_choice;
  if (callerTools && typeof choice === 'object') return { type: 'tool', name: choice.function.name };
  if (callerTools) return { type: 'any' };
  return { type: 'tool', name: JSON_TOOL_NAME };
}
