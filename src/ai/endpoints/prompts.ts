/**
 * Prompt APIs over HTTP (docs/prompt-apis.md):
 *
 *   POST <ai route>/prompts/{name}        the variables as a JSON object → `{"result": …}` or the chat
 *                                         completion (`?stream=true` streams it, for response `openai`
 *                                         with text output)
 *   GET  <ai route>/prompts/openapi.json  the OpenAPI 3.1 document of every prompt API of the workspace
 *
 * Everything about a prompt API that can be worked out ahead is, with the snapshot (src/ai/prompts/
 * compile.ts); a call checks the variables, joins the template's parts and runs the chat through the
 * engine like any other call, so limits, budgets, fallbacks and call records apply unchanged. The
 * record's path names the prompt API (`/prompts/sentiment`).
 */
import { KeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { AiGateway } from '../engine-types.js';
import { chatRequestFor } from '../prompts/chat-request.js';
import type { CompiledPrompt } from '../prompts/compile.js';
import { answerText, parseJsonAnswer } from '../prompts/model-answer.js';
import { serveOpenApi } from '../prompts/serve-openapi.js';
import { streamAnswer } from '../prompts/stream-answer.js';
import { resolveVariables } from '../prompts/variables.js';
import { readJsonBody } from './body.js';
import { sendAiJson } from './reply.js';

export function promptsOpenApi(ctx: RequestContext, gw: AiGateway): void {
  serveOpenApi(ctx, gw.catalog);
}

export async function callPrompt(ctx: RequestContext, gw: AiGateway, name: string): Promise<void> {
  const prompt = gw.catalog.prompts.get(name);
  if (prompt === undefined)
    throw new KeywayError('KW_ERR_AI_ENDPOINT', { method: 'POST', path: ctx.upstreamPath });
  // On every answer from here on, errors included: which prompt version a failure belongs to.
  ctx.res.setHeader('x-keyway-prompt-version', prompt.version);
  const stream = wantsStream(ctx.upstreamQuery, prompt);
  const body = await readJsonBody(ctx, gw.maxBodyBytes);
  const values = resolveVariables(prompt.def.name, prompt.variables, body);
  const outcome = await gw.engine.chat(ctx, chatRequestFor(prompt, values, stream));
  if (outcome.stream !== undefined) {
    if (!stream) throw new Error('the engine streamed a call made without stream: true');
    return streamAnswer(ctx, outcome.served, outcome.stream);
  }
  const response = outcome.response;
  if (prompt.response === 'openai') {
    if (prompt.output === 'json')
      parseJsonAnswer(answerText(response), prompt.validate, response.choices[0]?.finish_reason);
    return sendAiJson(ctx, response, outcome.served);
  }
  const text = answerText(response);
  const result =
    prompt.output === 'json'
      ? parseJsonAnswer(text, prompt.validate, response.choices[0]?.finish_reason)
      : text;
  sendAiJson(ctx, { result }, outcome.served);
}

/**
 * `?stream=true` streams the chat completion as OpenAI does. Only for response `openai` with text
 * output: a `result` answer is one JSON value, and a JSON answer is checked against its schema before
 * the caller sees any of it, which a stream cannot wait for.
 */
function wantsStream(query: string, prompt: CompiledPrompt): boolean {
  if (query === '') return false;
  const value = new URLSearchParams(query).get('stream');
  if (value === null || value === 'false') return false;
  if (value !== 'true')
    throw new KeywayError('KW_ERR_BAD_REQUEST', { reason: 'query parameter stream must be true or false' });
  if (prompt.response !== 'openai' || prompt.output !== 'text')
    throw new KeywayError('KW_ERR_BAD_REQUEST', {
      reason: `prompt API "${prompt.def.name}" does not stream: only response "openai" with text output does`,
    });
  return true;
}
