/**
 * A canonical chat request as a Gemini `generateContent` request
 * (POST {base}/v1beta/models/{model}:generateContent, or :streamGenerateContent?alt=sse):
 *
 * - system and developer messages → `systemInstruction` text parts;
 * - user → `user` contents: text parts, images as `inlineData` (data: URLs) or `fileData` (http URLs);
 * - assistant → `model` contents: text, and `functionCall` parts (args as objects, thought signature
 *   restored from the tool call id — tool-ids.ts);
 * - tool → `functionResponse` parts in a `user` content, named after the call they answer; a JSON object
 *   result is the response as is, anything else is wrapped as `{"output": …}` (Gemini's convention);
 * - consecutive contents of one role merged (parallel calls' responses must share one content);
 * - tools → `functionDeclarations` (parameters rewritten to Gemini's schema subset — schema.ts);
 *   tool_choice auto/none/required/function → `functionCallingConfig` AUTO/NONE/ANY/ANY+allowed name;
 * - `generationConfig`: maxOutputTokens, temperature, topP, topK, stopSequences, candidateCount (n),
 *   seed, presence/frequency penalties; response_format json_object → responseMimeType
 *   application/json, json_schema → also `responseSchema`.
 */
import type { AttemptTarget, ChatMessage, ChatRequest, ContentPart, UpstreamCall } from '../../types.js';
import { apiUrl, partsOf, textOf } from '../common/content.js';
import { mediaTypeFromUrl, parseDataUrl } from '../common/data-url.js';
import { asObject, badRequest, type Json, parseToolArguments, stopList } from '../common/shape.js';
import { toGeminiSchema } from './schema.js';
import { SKIP_SIGNATURE, signatureOf } from './tool-ids.js';

/** API versions an operator may have put at the end of base_url already. */
const VERSIONS = ['v1beta', 'v1', 'v1alpha'] as const;

interface Content {
  role: 'user' | 'model';
  parts: Json[];
}

export function geminiRequest(req: ChatRequest, target: AttemptTarget): UpstreamCall {
  const provider = target.provider;
  const action = req.stream === true ? 'streamGenerateContent?alt=sse' : 'generateContent';
  // The key goes in a header, never in the URL (`?key=`): URLs end up in logs and traces.
  const headers: Record<string, string> = { ...provider.headers, 'content-type': 'application/json' };
  if (target.key !== undefined) headers['x-goog-api-key'] = target.key;
  return {
    method: 'POST',
    url: apiUrl(provider.baseUrl, 'v1beta', `${modelPath(target.model)}:${action}`, VERSIONS),
    headers,
    body: JSON.stringify(geminiBody(req)),
  };
}

/** `gemini-2.5-flash` → `models/gemini-2.5-flash`; names with a collection (`tunedModels/x`) stay. */
export function modelPath(model: string): string {
  const path = model.includes('/') ? model : `models/${model}`;
  return path.split('/').map(encodeURIComponent).join('/');
}

export function geminiBody(req: ChatRequest): Json {
  const { system, contents } = convertMessages(req.messages);
  const body: Json = { contents };
  if (system.length > 0) body['systemInstruction'] = { parts: system.map((text) => ({ text })) };
  const declarations = (req.tools ?? []).map((t) => {
    const decl: Json = { name: t.function.name };
    if (t.function.description !== undefined) decl['description'] = t.function.description;
    const params = t.function.parameters;
    // An object with no properties is refused by Gemini ("should be non-empty for OBJECT type").
    if (params !== undefined && Object.keys(asObject(params['properties']) ?? {}).length > 0)
      decl['parameters'] = toGeminiSchema(params);
    return decl;
  });
  if (declarations.length > 0) {
    body['tools'] = [{ functionDeclarations: declarations }];
    const config = functionCalling(req);
    if (config !== undefined) body['toolConfig'] = { functionCallingConfig: config };
  }
  const generation = generationConfig(req);
  if (Object.keys(generation).length > 0) body['generationConfig'] = generation;
  return body;
}

function functionCalling(req: ChatRequest): Json | undefined {
  const choice = req.tool_choice;
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  if (choice === 'auto') return { mode: 'AUTO' };
  if (typeof choice === 'object') return { mode: 'ANY', allowedFunctionNames: [choice.function.name] };
  return undefined;
}

function generationConfig(req: ChatRequest): Json {
  const g: Json = {};
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (max !== undefined) g['maxOutputTokens'] = max;
  if (req.temperature !== undefined) g['temperature'] = req.temperature;
  if (req.top_p !== undefined) g['topP'] = req.top_p;
  if (typeof req['top_k'] === 'number') g['topK'] = req['top_k'];
  const stop = stopList(req.stop);
  if (stop !== undefined) g['stopSequences'] = stop;
  if (req.n !== undefined && req.n !== 1) g['candidateCount'] = req.n;
  if (req.seed !== undefined) g['seed'] = req.seed;
  if (req.presence_penalty !== undefined) g['presencePenalty'] = req.presence_penalty;
  if (req.frequency_penalty !== undefined) g['frequencyPenalty'] = req.frequency_penalty;
  const format = req.response_format;
  if (format !== undefined && format.type !== 'text') {
    g['responseMimeType'] = 'application/json';
    if (format.type === 'json_schema' && format.json_schema.schema !== undefined)
      g['responseSchema'] = toGeminiSchema(format.json_schema.schema);
  }
  return g;
}

function convertMessages(messages: ChatMessage[]): { system: string[]; contents: Content[] } {
  const system: string[] = [];
  const contents: Content[] = [];
  const names = new Map<string, string>();
  const push = (role: Content['role'], parts: Json[]): void => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  messages.forEach((m, i) => {
    if (m.role === 'system' || m.role === 'developer') {
      const text = textOf(m.content);
      if (text !== '') system.push(text);
    } else if (m.role === 'user')
      push(
        'user',
        partsOf(m.content).map((p, j) => part(p, `messages[${i}].content[${j}]`)),
      );
    else if (m.role === 'assistant') push('model', modelParts(m, i, names));
    else push('user', [functionResponse(m, i, names)]);
  });
  return { system, contents };
}

function modelParts(m: ChatMessage, i: number, names: Map<string, string>): Json[] {
  const parts: Json[] = [];
  const text = textOf(m.content);
  if (text !== '') parts.push({ text });
  (m.tool_calls ?? []).forEach((call, j) => {
    names.set(call.id, call.function.name);
    const args = parseToolArguments(
      call.function.arguments,
      `messages[${i}].tool_calls[${j}].function.arguments`,
    );
    const fc: Json = { functionCall: { name: call.function.name, args } };
    const signature = signatureOf(call.id);
    // Gemini signs the first call of a turn; without a signature of ours, the first call gets the skip marker.
    if (signature !== undefined) fc['thoughtSignature'] = signature;
    else if (j === 0) fc['thoughtSignature'] = SKIP_SIGNATURE;
    parts.push(fc);
  });
  return parts;
}

function functionResponse(m: ChatMessage, i: number, names: Map<string, string>): Json {
  const name = (m.tool_call_id === undefined ? undefined : names.get(m.tool_call_id)) ?? m.name;
  if (name === undefined)
    throw badRequest(
      `messages[${i}].tool_call_id does not match a tool call of an earlier assistant message`,
    );
  const text = textOf(m.content);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Plain text output.
  }
  const response = asObject(parsed) ?? { output: parsed };
  return { functionResponse: { name, response } };
}

function part(p: ContentPart, where: string): Json {
  if (p.type === 'text') return { text: p.text };
  const url = p.image_url.url;
  const inline = parseDataUrl(url);
  if (inline !== undefined) return { inlineData: { mimeType: inline.mediaType, data: inline.data } };
  if (/^https?:\/\//i.test(url)) {
    const mimeType = mediaTypeFromUrl(url);
    return { fileData: { fileUri: url, ...(mimeType === undefined ? {} : { mimeType }) } };
  }
  throw badRequest(`${where}.image_url.url must be a base64 data: URL or an http(s) URL`);
}
