import { KeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../proxy/context.js';
import type { AiGateway } from '../engine-types.js';

// Placeholder while the endpoint is written.
export function listModels(ctx: RequestContext, _gw: AiGateway): void {
  throw new KeywayError('KW_ERR_AI_ENDPOINT', { method: 'GET', path: ctx.upstreamPath });
}
