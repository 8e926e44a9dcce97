/**
 * `ai-proxy`: makes a route an AI route. Requests are answered by the AI gateway (src/ai) instead of being
 * forwarded: the OpenAI-compatible endpoints, the Anthropic Messages endpoint and the workspace's prompt
 * APIs, over the workspace's AI providers and model aliases (docs/ai-gateway.md). Put it on a service whose
 * URL is `ai://` (any name after it), next to the auth and limit plugins like on any route.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { createEngine } from '../../ai/engine/index.js';
import { KeyState } from '../../ai/engine/key-state.js';
import { createProviderAgent } from '../../ai/engine/upstream.js';
import { dispatchAi } from '../../ai/endpoints/dispatch.js';
import { routeErrorBody } from '../../ai/endpoints/errors.js';
import type { AiGateway } from '../../ai/engine-types.js';
import { aiPolicySchemaProperties, createAiPolicy } from '../../ai/policy/index.js';
import { loadTokenizer } from '../../ai/tokens.js';
import { writeLimitHeaders } from '../../limits/limit-headers.js';
import { definePlugin } from '../../pipeline/plugin.js';

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    max_body_bytes: { type: 'integer', minimum: 1024, maximum: 64 * 1024 * 1024, default: 4 * 1024 * 1024 },
    ...aiPolicySchemaProperties,
  },
} as const;

/** The config as `create` sees it (ajv has filled in the defaults). */
export type AiProxyConfig = FromSchema<typeof configSchema>;

export const aiProxy = definePlugin<AiProxyConfig>({
  name: 'ai-proxy',
  description: 'Serves the route with the AI gateway: OpenAI/Anthropic-compatible endpoints and prompt APIs.',
  configSchema,
  create(config, env) {
    if (env.ai === undefined) throw new Error('the AI catalog is not available to this plugin');
    const policy = createAiPolicy(config, env);
    // The node's key state and provider pool, kept across reloads; without a node (a config check, a
    // test that wires none), this instance's own, its pool closed with it.
    const ownAgent = env.services.providerAgent === undefined ? createProviderAgent() : undefined;
    const dispatcher = env.services.providerAgent ?? ownAgent ?? createProviderAgent();
    const gw: AiGateway = {
      catalog: env.ai,
      policy,
      engine: createEngine(env.ai, policy, {
        keys: env.services.aiKeys ?? new KeyState(),
        dispatcher,
      }),
      maxBodyBytes: config.max_body_bytes,
    };
    return {
      proxy: (ctx) => dispatchAi(ctx, gw),
      // Errors of the route's other plugins (auth, limits) in the shape the caller's SDK parses.
      errorBody: routeErrorBody,
      // The RateLimit headers of the AI limits (src/ai/policy/limiter.ts) — and of any rate-limit or quota
      // plugin on the route — on every answer, the AI endpoints' own included (src/pipeline/reply.ts).
      respond: writeLimitHeaders,
      // Token counts are synchronous on the request path; the tables load before the route serves.
      prepare: loadTokenizer,
      ...(ownAgent === undefined ? {} : { close: () => ownAgent.close() }),
    };
  },
});
