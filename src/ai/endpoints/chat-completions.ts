import { KeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../proxy/context.js';
import type { AiGateway } from '../engine-types.js';

// Placeholder while the endpoint is written.
export function chatCompletions(ctx: RequestContext, _gw: AiGateway): Promise<void> {
  return Promise.reject(new KeywayError('KW_ERR_AI_ENDPOINT', { method: 'POST', path: ctx.upstreamPath }));
}
