/**
 * The AI side of a workspace as the data plane serves it: providers with their decrypted key pools and
 * price tables, model aliases, prompt APIs. Built with the snapshot (never per request); problems (a
 * target naming no provider, a key that cannot be opened) are reported like every other config problem.
 */
import type { Stored, WorkspaceState } from '../model/index.js';
import { AI_MODEL_DEFAULTS, type AiModel } from '../model/ai-model.js';
import { AI_PROVIDER_DEFAULTS } from '../model/ai-provider.js';
import { PROVIDER_KEY_LABEL, type SecretBox } from '../keys/secret-box.js';
import type { ConfigProblem } from '../model/config-problem.js';
import { compilePrompt, type CompiledPrompt } from './prompts/compile.js';
import { adapterFor } from './providers/index.js';
import type { CompiledProvider } from './types.js';

export interface CompiledAlias {
  name: string;
  targets: ReadonlyArray<{ provider: CompiledProvider; model: string; weight: number }>;
  /** Total weight, for the weighted pick. */
  totalWeight: number;
  fallbacks: readonly string[];
  retries: number;
  retryBackoffMs: number;
  timeoutMs: number;
}

export type { CompiledPrompt };

export interface AiCatalog {
  workspace: string;
  providers: ReadonlyMap<string, CompiledProvider>;
  aliases: ReadonlyMap<string, CompiledAlias>;
  prompts: ReadonlyMap<string, CompiledPrompt>;
}

declare module '../pipeline/plugin.js' {
  interface PluginEnv {
    /** The workspace's AI providers, model aliases and prompt APIs (this file). */
    ai?: AiCatalog;
  }
}

export interface CatalogDeps {
  /** Opens sealed provider keys; absent in pure config checks (keys then stay closed, no problem raised). */
  secrets?: SecretBox | undefined;
}

export function buildCatalog(ws: WorkspaceState, deps: CatalogDeps, problems: ConfigProblem[]): AiCatalog {
  const providers = new Map<string, CompiledProvider>();
  ws.ai_providers.forEach((p) => {
    const compiled = compileProvider(ws.name, p, deps, problems);
    if (compiled !== undefined) providers.set(p.name, compiled);
  });
  const aliases = new Map<string, CompiledAlias>();
  for (const m of ws.ai_models) {
    const alias = compileAlias(ws.name, m, providers, problems);
    if (alias !== undefined) aliases.set(m.name, alias);
  }
  // References checked once every alias exists: fallbacks and prompt models may name each other.
  const known = (ref: string): boolean => resolvesTo(ref, providers, aliases);
  for (const m of ws.ai_models) {
    (m.fallbacks ?? []).forEach((f, i) => {
      if (f === m.name)
        problem(problems, ws.name, 'ai_models', m.name, `/fallbacks/${i}`, 'names the model itself');
      else if (!known(f))
        problem(
          problems,
          ws.name,
          'ai_models',
          m.name,
          `/fallbacks/${i}`,
          `"${f}" is neither a model alias nor provider/model`,
        );
    });
  }
  const prompts = new Map<string, CompiledPrompt>();
  for (const p of ws.prompt_apis) {
    if (!known(p.model))
      problem(
        problems,
        ws.name,
        'prompt_apis',
        p.name,
        '/model',
        `"${p.model}" is neither a model alias nor provider/model`,
      );
    const compiled = compilePrompt(p, (field, message) =>
      problem(problems, ws.name, 'prompt_apis', p.name, field, message),
    );
    if (compiled !== undefined) prompts.set(p.name, compiled);
  }
  return { workspace: ws.name, providers, aliases, prompts };
}

/** `alias` or `provider/model` with a known provider. */
export function resolvesTo(
  ref: string,
  providers: ReadonlyMap<string, CompiledProvider>,
  aliases: ReadonlyMap<string, CompiledAlias>,
): boolean {
  if (aliases.has(ref)) return true;
  const slash = ref.indexOf('/');
  return slash > 0 && providers.has(ref.slice(0, slash)) && slash < ref.length - 1;
}

function compileProvider(
  workspace: string,
  p: Stored<'ai_providers'>,
  deps: CatalogDeps,
  problems: ConfigProblem[],
): CompiledProvider | undefined {
  const adapter = adapterFor(p.type);
  const baseUrl = (p.base_url ?? adapter.defaultBaseUrl)?.replace(/\/+$/, '');
  if (baseUrl === undefined) {
    problem(problems, workspace, 'ai_providers', p.name, '/base_url', `is required for type "${p.type}"`);
    return undefined;
  }
  const keys: Array<{ id: string; secret: string }> = [];
  (p.keys ?? []).forEach((k, i) => {
    if (k.enabled === false) return;
    const where = `/keys/${i}`;
    if (k.secret_enc !== undefined) {
      if (deps.secrets === undefined) return;
      const secret = deps.secrets.open(k.secret_enc, PROVIDER_KEY_LABEL);
      if (secret === undefined)
        problem(
          problems,
          workspace,
          'ai_providers',
          p.name,
          `${where}/secret_enc`,
          'cannot be opened with this node’s secret (KEYWAY_SECRET differs from the one that sealed it?)',
        );
      else keys.push({ id: k.id, secret });
    } else if (k.secret_env !== undefined) {
      // The node's environment, held by its box; a pure check (no box) sets no key and raises nothing.
      const secret = deps.secrets?.variable(k.secret_env);
      if (secret !== undefined) keys.push({ id: k.id, secret });
      else if (deps.secrets !== undefined)
        problem(
          problems,
          workspace,
          'ai_providers',
          p.name,
          `${where}/secret_env`,
          `environment variable ${k.secret_env} is not set`,
        );
    } else if (k.secret !== undefined) {
      // Only in tests and pure checks: the control layer seals `secret` before it is stored.
      keys.push({ id: k.id, secret: k.secret });
    } else {
      problem(problems, workspace, 'ai_providers', p.name, where, 'needs one of secret, secret_env');
    }
  });
  const prices = new Map<string, { input: number; output: number; cachedInput: number }>();
  for (const pr of p.prices ?? [])
    prices.set(pr.model, { input: pr.input, output: pr.output, cachedInput: pr.cached_input ?? pr.input });
  return {
    name: p.name,
    type: p.type,
    baseUrl,
    apiVersion: p.api_version,
    headers: { ...(p.headers ?? {}) },
    timeoutMs: p.timeout_ms ?? AI_PROVIDER_DEFAULTS.timeout_ms,
    cooldownMs: p.cooldown_ms ?? AI_PROVIDER_DEFAULTS.cooldown_ms,
    adapter,
    keys,
    prices,
  };
}

function compileAlias(
  workspace: string,
  m: AiModel,
  providers: ReadonlyMap<string, CompiledProvider>,
  problems: ConfigProblem[],
): CompiledAlias | undefined {
  const targets: Array<{ provider: CompiledProvider; model: string; weight: number }> = [];
  m.targets.forEach((t, i) => {
    const provider = providers.get(t.provider);
    if (provider === undefined)
      problem(
        problems,
        workspace,
        'ai_models',
        m.name,
        `/targets/${i}/provider`,
        `no AI provider "${t.provider}"`,
      );
    else targets.push({ provider, model: t.model, weight: t.weight ?? 1 });
  });
  if (targets.length !== m.targets.length) return undefined;
  const totalWeight = targets.reduce((s, t) => s + t.weight, 0);
  if (totalWeight === 0) {
    problem(
      problems,
      workspace,
      'ai_models',
      m.name,
      '/targets',
      'needs at least one target with a weight above 0',
    );
    return undefined;
  }
  return {
    name: m.name,
    targets,
    totalWeight,
    fallbacks: m.fallbacks ?? [],
    retries: m.retries ?? AI_MODEL_DEFAULTS.retries,
    retryBackoffMs: m.retry_backoff_ms ?? AI_MODEL_DEFAULTS.retry_backoff_ms,
    timeoutMs: m.timeout_ms ?? AI_MODEL_DEFAULTS.timeout_ms,
  };
}

function problem(
  problems: ConfigProblem[],
  workspace: string,
  kind: ConfigProblem['kind'],
  key: string,
  field: string,
  message: string,
): void {
  problems.push({ workspace, kind, key, field, message });
}
