/**
 * Model allow-lists. A pattern is an alias (`smart`), a `provider/model`, `provider/*` (every model of
 * that provider) or `*` (everything).
 *
 * An alias is allowed when it is listed by name — the operator chose it, with its targets and
 * fallbacks — or when everything it can reach is allowed: every target as `provider/model` and every
 * fallback (alias or `provider/model`, followed recursively). So `models: [openai/*]` lets a caller use
 * `fast` when `fast` only ever calls OpenAI, but not `smart` if `smart` may fall back to Anthropic: an
 * allow-list by provider is a promise about where the caller's prompts go.
 *
 * Alias verdicts are computed once per snapshot; a request pays a Set lookup (and, for a direct
 * `provider/model`, a few prefix comparisons).
 */
import type { AiCatalog } from '../catalog.js';

export type ModelMatcher = (model: string) => boolean;

/** `catalog` resolves aliases to what they reach; without it an alias matches only by name. */
export function modelMatcher(
  patterns: readonly string[],
  catalog?: Pick<AiCatalog, 'aliases'>,
): ModelMatcher {
  if (patterns.includes('*')) return () => true;
  const exact = new Set(patterns.filter((p) => !p.endsWith('/*')));
  const prefixes = patterns.filter((p) => p.endsWith('/*')).map((p) => p.slice(0, -1));
  const direct = (model: string): boolean => exact.has(model) || prefixes.some((p) => model.startsWith(p));
  if (catalog === undefined || catalog.aliases.size === 0) return direct;

  const verdicts = new Map<string, boolean>();
  const reachable = (ref: string, seen: Set<string>): boolean => {
    if (exact.has(ref)) return true;
    const alias = catalog.aliases.get(ref);
    if (alias === undefined) return direct(ref);
    const known = verdicts.get(ref);
    if (known !== undefined) return known;
    // A fallback cycle (a → b → a) adds nothing new to what is reachable.
    if (seen.has(ref)) return true;
    seen.add(ref);
    const ok =
      alias.targets.every((t) => direct(`${t.provider.name}/${t.model}`)) &&
      alias.fallbacks.every((f) => reachable(f, seen));
    seen.delete(ref);
    return ok;
  };
  for (const name of catalog.aliases.keys()) verdicts.set(name, reachable(name, new Set()));
  return (model) => verdicts.get(model) ?? direct(model);
}
