/**
 * Which AI endpoint a request on an AI route reaches, by method and path (after the route's strip_path;
 * a leading `/v1` is optional, so SDKs work with a base URL ending in `/v1` or not):
 *
 *   POST /v1/chat/completions   OpenAI Chat Completions (streaming or not)
 *   POST /v1/embeddings         OpenAI Embeddings
 *   GET  /v1/models             the models this caller may use
 *   POST /v1/messages           Anthropic Messages (streaming or not)
 *   GET  /prompts/openapi.json  OpenAPI 3.1 description of the prompt APIs
 *   POST /prompts/{name}        a prompt API
 */
import { KeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../pipeline/context.js';
import { watchCaller } from '../engine/caller.js';
import type { AiGateway } from '../engine-types.js';
import { chatCompletions } from './chat-completions.js';
import { embeddings } from './embeddings.js';
import { asKeywayError, errorStyleOf, sendAiError, type ErrorStyle } from './errors.js';
import { anthropicMessages } from './messages.js';
import { listModels } from './models.js';
import { callPrompt, promptsOpenApi } from './prompts.js';

export async function dispatchAi(ctx: RequestContext, gw: AiGateway): Promise<void> {
  const full = ctx.upstreamPath;
  const path = full.startsWith('/v1/') ? full.slice(3) : full;
  const method = ctx.req.method ?? 'GET';
  const style: ErrorStyle = errorStyleOf(path);
  watchCaller(ctx);
  try {
    if (method === 'POST') {
      if (path === '/chat/completions') return await chatCompletions(ctx, gw);
      if (path === '/embeddings') return await embeddings(ctx, gw);
      if (path === '/messages') return await anthropicMessages(ctx, gw);
      if (path.startsWith('/prompts/') && path.indexOf('/', 9) === -1) {
        const name = decodeName(path.slice(9));
        if (name !== undefined) return await callPrompt(ctx, gw, name);
      }
    } else if (method === 'GET' || method === 'HEAD') {
      if (path === '/models') return listModels(ctx, gw);
      if (path === '/prompts/openapi.json') return promptsOpenApi(ctx, gw);
    }
    throw new KeywayError('KW_ERR_AI_ENDPOINT', { method, path: full });
  } catch (err) {
    sendAiError(ctx, asKeywayError(ctx, err), style);
  }
}

/** A path segment decoded, or undefined when its percent-encoding is malformed (then: no such endpoint). */
function decodeName(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
