/**
 * What a request's `model` names: an alias of the workspace (`smart`: weighted targets, retries,
 * fallbacks) or `provider/model` (split on the first `/`: model names may hold slashes themselves, as in
 * `openrouter/meta-llama/llama-3-70b`). Anything else is an unknown model.
 */
import { AI_MODEL_DEFAULTS } from '../../model/ai-model.js';
import type { AiCatalog, CompiledAlias } from '../catalog.js';

/** A resolved model reference: the deployments to try and how. Direct references use the alias defaults. */
export interface Plan {
  /** The reference as written (alias name or `provider/model`). */
  ref: string;
  alias: CompiledAlias | undefined;
  targets: CompiledAlias['targets'];
  retries: number;
  retryBackoffMs: number;
  /** Whole-call bound across attempts, ms (0: none). */
  timeoutMs: number;
  fallbacks: readonly string[];
}

export function resolveModel(catalog: AiCatalog, ref: string): Plan | undefined {
  const alias = catalog.aliases.get(ref);
  if (alias !== undefined)
    return {
      ref,
      alias,
      targets: alias.targets,
      retries: alias.retries,
      retryBackoffMs: alias.retryBackoffMs,
      timeoutMs: alias.timeoutMs,
      fallbacks: alias.fallbacks,
    };
  const slash = ref.indexOf('/');
  if (slash <= 0 || slash === ref.length - 1) return undefined;
  const provider = catalog.providers.get(ref.slice(0, slash));
  if (provider === undefined) return undefined;
  return {
    ref,
    alias: undefined,
    targets: [{ provider, model: ref.slice(slash + 1), weight: 1 }],
    retries: AI_MODEL_DEFAULTS.retries,
    retryBackoffMs: AI_MODEL_DEFAULTS.retry_backoff_ms,
    timeoutMs: AI_MODEL_DEFAULTS.timeout_ms,
    fallbacks: [],
  };
}

/**
 * The plans one call goes through: the requested one, then its fallbacks in order (each with its own
 * targets and retries). A fallback's own fallbacks are not followed: the chain is what the operator
 * wrote on the requested alias, and cannot loop.
 */
export function planChain(catalog: AiCatalog, first: Plan): Plan[] {
  const chain = [first];
  for (const ref of first.fallbacks) {
    const plan = resolveModel(catalog, ref);
    if (plan !== undefined && !chain.some((p) => p.ref === plan.ref)) chain.push(plan);
  }
  return chain;
}
