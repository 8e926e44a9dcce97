import { KeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../proxy/context.js';
import type { AiGateway } from '../engine-types.js';

// Placeholders while the endpoints are written.
export function promptsOpenApi(ctx: RequestContext, _gw: AiGateway): void {
  throw new KeywayError('KW_ERR_AI_ENDPOINT', { method: 'GET', path: ctx.upstreamPath });
}

export function callPrompt(ctx: RequestContext, _gw: AiGateway, _name: string): Promise<void> {
  return Promise.reject(new KeywayError('KW_ERR_AI_ENDPOINT', { method: 'POST', path: ctx.upstreamPath }));
}
