/**
 * The AI policy of one ai-proxy config: which models a caller may use. (Request and token rates and spend
 * budgets are added here; see docs/ai-gateway.md.)
 */
import { KeywayError } from '../../core/errors.js';
import type { PluginEnv } from '../../plugins/types.js';
import type { RequestContext } from '../../proxy/context.js';
import type { AiPolicy } from '../engine-types.js';

export interface AiPolicyConfig {
  /** Models this route serves: aliases, `provider/model`, or `provider/*`. Absent: all. */
  models?: string[];
}

export const aiPolicySchemaProperties = {
  models: {
    type: 'array',
    maxItems: 256,
    uniqueItems: true,
    items: { type: 'string', minLength: 1, maxLength: 256 },
  },
} as const;

export function createAiPolicy(config: AiPolicyConfig, _env: PluginEnv): AiPolicy {
  const allowed = config.models === undefined ? undefined : modelMatcher(config.models);
  return {
    admit(_ctx: RequestContext, model: string): Promise<void> {
      if (allowed !== undefined && !allowed(model))
        throw new KeywayError('KW_ERR_MODEL_NOT_ALLOWED', { model });
      return Promise.resolve();
    },
    settle(): void {},
    visible: (_ctx, model) => allowed === undefined || allowed(model),
  };
}

/** `name` matches itself; `provider/*` matches every model of that provider. */
export function modelMatcher(patterns: readonly string[]): (model: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.endsWith('/*')));
  const prefixes = patterns.filter((p) => p.endsWith('/*')).map((p) => p.slice(0, -1));
  return (model) => exact.has(model) || prefixes.some((p) => model.startsWith(p));
}
