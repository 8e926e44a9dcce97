/**
 * The attempt loop: one call goes through the requested plan (1 + retries attempts on its targets), then
 * each fallback in order (its own attempts), until an attempt succeeds or nothing is left.
 *
 * - Each attempt picks a target by weight among those with a usable key, preferring a target (then a
 *   key) not tried yet in this call; a target whose keys are all cooling is skipped, and a plan with no
 *   usable target hands over to the next fallback at once.
 * - A key the provider refused (401/403/429) cools for the provider's cooldown, or longer when
 *   Retry-After says so; the next attempt simply uses another key, without waiting.
 * - Between attempts of a plan: backoff (retry_backoff_ms, doubling). A provider-wide Retry-After (a 503
 *   saying "come back in 2 s") wins when longer; when it is beyond MAX_RETRY_WAIT_MS or beyond the
 *   call's remaining time, the loop moves on to the fallback instead of waiting.
 * - Non-retryable refusals (400, 404, 422…) are the caller's problem and answered at once.
 * - The requested plan's timeout_ms bounds everything; each attempt is bounded by its provider's
 *   timeout_ms and by what remains of that.
 */
import { performance } from 'node:perf_hooks';
import { KeywayError } from '../../core/errors.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { Served } from '../engine-types.js';
import type { AttemptTarget, CompiledProvider } from '../types.js';
import type { WeightedPicker } from './balance.js';
import type { Cancellation } from './cancellation.js';
import { exhausted, providerError } from './errors.js';
import type { KeyState, PoolKey } from './key-state.js';
import type { Plan } from './resolve.js';
import { ClientGoneError } from '../../pipeline/exchange-guard.js';
import { AttemptFailure } from './upstream.js';

/** Longest a provider's Retry-After is waited out before retrying the same plan; beyond it, fall back. */
export const MAX_RETRY_WAIT_MS = 10_000;

export interface AttemptEnv {
  ctx: RequestContext;
  /** Key state is per workspace (provider names are only unique within one). */
  workspace: string;
  keys: KeyState;
  /** Cancelled when the caller goes away. */
  client: Cancellation;
  /** The weighted picker of a multi-target plan (kept across calls, so the split holds over calls). */
  picker(plan: Plan): WeightedPicker | undefined;
  /**
   * Told which deployment works on the call: set while an attempt is in flight and once one succeeds,
   * cleared when it fails (the call's meter, usage.ts: what a caller who leaves is charged).
   */
  meter: { target: AttemptTarget | undefined };
}

export interface Attempted<T> {
  value: T;
  served: Served;
  target: AttemptTarget;
}

/** Runs `attempt` until one succeeds; throws the KeywayError for the caller (or ClientGoneError) otherwise. */
export async function runAttempts<T>(
  env: AttemptEnv,
  chain: readonly Plan[],
  attempt: (target: AttemptTarget, timeoutMs: number) => Promise<T>,
): Promise<Attempted<T>> {
  const { ctx, keys, workspace } = env;
  const first = chain[0];
  const deadline = first.timeoutMs > 0 ? performance.now() + first.timeoutMs : Infinity;
  const triedKeys = new Map<string, Set<string>>();
  const triedTargets = new Set<string>();
  let attempts = 0;
  let last: { failure: AttemptFailure; target: AttemptTarget; timeoutMs: number } | undefined;
  const wholeCallTimeout = (): KeywayError =>
    new KeywayError('KW_ERR_AI_PROVIDER_TIMEOUT', { timeout: `${first.timeoutMs} ms` });

  try {
    plans: for (const plan of chain) {
      let providerWait = 0;
      for (let i = 0; i <= plan.retries; i++) {
        if (i > 0) {
          if (providerWait > MAX_RETRY_WAIT_MS) continue plans;
          const wait = Math.max(plan.retryBackoffMs * 2 ** (i - 1), providerWait);
          if (performance.now() + wait >= deadline) continue plans;
          if (wait > 0) await sleep(wait, env.client);
        }
        const choice = choose(env, plan, workspace, triedTargets, triedKeys);
        if (choice === undefined) continue plans;
        const { provider, model, key } = choice;
        const target: AttemptTarget = { provider, model, key: key.secret };
        const remaining = deadline - performance.now();
        if (remaining <= 0) throw wholeCallTimeout();
        const timeoutMs = Math.max(1, Math.min(provider.timeoutMs, Math.ceil(remaining)));
        attempts++;
        triedTargets.add(targetId(provider, model));
        let keysOfProvider = triedKeys.get(provider.name);
        if (keysOfProvider === undefined) triedKeys.set(provider.name, (keysOfProvider = new Set()));
        keysOfProvider.add(key.id);
        if (ctx.upstreamStartedAt === 0n) ctx.upstreamStartedAt = process.hrtime.bigint();
        ctx.target = hostOf(provider);
        env.meter.target = target;
        try {
          const value = await attempt(target, timeoutMs);
          const served: Served = { requested: chain[0].ref, provider: provider.name, model, attempts };
          return { value, served, target };
        } catch (err) {
          // A refusal or a failure generated nothing; a caller that left was settled when it left.
          env.meter.target = undefined;
          if (!(err instanceof AttemptFailure)) throw err;
          const f = err.failure;
          last = { failure: err, target, timeoutMs };
          if (f.keyProblem)
            keys.coolDown(
              workspace,
              provider.name,
              key.id,
              Math.max(provider.cooldownMs, f.retryAfterMs ?? 0),
            );
          if (!f.retryable) throw providerError(err, target);
          if (performance.now() >= deadline) throw wholeCallTimeout();
          providerWait = f.keyProblem ? 0 : (f.retryAfterMs ?? 0);
        }
      }
    }
    throw exhausted(first.ref, last, soonestCooling(env, chain, workspace));
  } finally {
    ctx.retries = Math.max(0, attempts - 1);
  }
}

/** The target and key of the next attempt, or undefined when no target of the plan can serve now. */
function choose(
  env: AttemptEnv,
  plan: Plan,
  workspace: string,
  triedTargets: ReadonlySet<string>,
  triedKeys: ReadonlyMap<string, ReadonlySet<string>>,
): { provider: CompiledProvider; model: string; key: PoolKey } | undefined {
  const targets = plan.targets;
  const usable = (i: number): boolean => env.keys.usable(workspace, targets[i].provider);
  let index: number;
  const picker = env.picker(plan);
  if (picker === undefined) {
    index = usable(0) ? 0 : -1;
  } else {
    index = picker.pick(
      (i) => usable(i) && !triedTargets.has(targetId(targets[i].provider, targets[i].model)),
    );
    if (index === -1) index = picker.pick(usable);
  }
  if (index === -1) return undefined;
  const t = targets[index];
  const key = env.keys.pick(workspace, t.provider, triedKeys.get(t.provider.name) ?? new Set());
  return key === undefined ? undefined : { provider: t.provider, model: t.model, key };
}

function soonestCooling(env: AttemptEnv, chain: readonly Plan[], workspace: string): number {
  let soonest = Infinity;
  for (const plan of chain)
    for (const t of plan.targets) soonest = Math.min(soonest, env.keys.soonest(workspace, t.provider));
  return soonest;
}

function targetId(provider: CompiledProvider, model: string): string {
  return `${provider.name}\u0000${model}`;
}

/** `host:port` of the provider, for the call record's `target` (never the path: it may carry a deployment). */
function hostOf(provider: CompiledProvider): string {
  try {
    return new URL(provider.baseUrl).host;
  } catch {
    return provider.name;
  }
}

function sleep(ms: number, client: Cancellation): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (client.aborted) {
      reject(new ClientGoneError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ClientGoneError());
    };
    const timer = setTimeout(() => {
      client.offAbort(onAbort);
      resolve();
    }, ms);
    client.onAbort(onAbort);
  });
}
