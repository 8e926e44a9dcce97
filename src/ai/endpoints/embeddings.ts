/** `POST /v1/embeddings` in the OpenAI format, over the providers that have an embeddings API. */
import type { RequestContext } from '../../pipeline/context.js';
import type { AiGateway } from '../engine-types.js';
import { readJsonBody } from './body.js';
import { validateEmbeddingsRequest } from './openai-request.js';
import { sendAiJson } from './reply.js';

export async function embeddings(ctx: RequestContext, gw: AiGateway): Promise<void> {
  const req = validateEmbeddingsRequest(await readJsonBody(ctx, gw.maxBodyBytes));
  const { served, response } = await gw.engine.embeddings(ctx, req);
  sendAiJson(ctx, response, served);
}
