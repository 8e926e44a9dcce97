/**
 * Usage accounting, once per call, however the call ends: complete, broken, or abandoned by the caller
 * (what was generated was paid for). The provider's own counts are used when it sent them; otherwise
 * tokens are counted with the tokenizer over the prompt and what was generated. The result is left on the
 * request context for the call record, priced from the provider's table, and handed to the policy to
 * charge — the same numbers to both, so records and budgets agree to the micro-dollar.
 */
import type { AiUsage } from '../../pipeline/facts.js';
import type { RequestContext } from '../../pipeline/context.js';
import { costOf } from '../cost.js';
import type { AiPolicy } from '../engine-types.js';
import { countTokens } from '../tokens.js';
import type { AttemptTarget, ChatResponse, Usage } from '../types.js';

/**
 * Completes `reported` (the provider's usage, possibly absent) by counting, records it and settles it.
 * Returns the usage as the caller should see it.
 */
export function accountUsage(
  ctx: RequestContext,
  policy: AiPolicy,
  target: AttemptTarget,
  reported: Usage | undefined,
  prompt: () => string,
  completion: string,
): Usage {
  const usage = isUsage(reported) ? reported : counted(prompt(), completion);
  const record: AiUsage = {
    model: target.model,
    provider: target.provider.name,
    tokensIn: usage.prompt_tokens,
    tokensOut: usage.completion_tokens,
  };
  const cost = costOf(target.provider, target.model, usage);
  if (cost !== undefined) record.cost = cost;
  ctx.usage = record;
  try {
    policy.settle(ctx, record);
  } catch {
    // The contract says settle never throws; a policy bug must not turn a served call into an error.
  }
  return usage;
}

/**
 * What one call has consumed so far, settled exactly once — when the answer is complete, or at the moment
 * the caller goes away. Settling at once matters for the second case: the call record is taken when the
 * caller's connection closes, so the usage must be on the context by then, not a few reads later.
 *
 * - `target` is the deployment working on the call: set while an attempt is in flight (cleared when it
 *   fails: a provider that refused generated nothing) and once one serves. A caller that leaves while
 *   a provider works on its prompt is charged that prompt: the provider has processed (and billed) it.
 *   Nothing is charged when no provider was working on the call (it left during a backoff).
 * - `generated` and `reported` grow as a stream is read: an abandoned stream is charged what was generated
 *   up to the moment the caller left (counted), or the provider's usage if it had already sent it.
 */
export class CallMeter {
  target: AttemptTarget | undefined = undefined;
  readonly generated: string[] = [];
  reported: Usage | undefined = undefined;
  #done = false;
  #usage: Usage | undefined = undefined;

  constructor(
    private readonly ctx: RequestContext,
    private readonly policy: AiPolicy,
    private readonly prompt: () => string,
  ) {}

  /** Settles (the first call only) and returns the usage; undefined when no provider worked on the call. */
  settle(): Usage | undefined {
    if (this.#done) return this.#usage;
    this.#done = true;
    const target = this.target;
    if (target === undefined) return undefined;
    const ctx = this.ctx;
    if (ctx.upstreamEndedAt === 0n) ctx.upstreamEndedAt = process.hrtime.bigint();
    this.#usage = accountUsage(ctx, this.policy, target, this.reported, this.prompt, this.generated.join(''));
    return this.#usage;
  }
}

/** The text a response generated: message contents and tool-call arguments, every choice. */
export function responseText(res: ChatResponse): string {
  let out = '';
  for (const c of res.choices) {
    if (typeof c.message.content === 'string') out += c.message.content;
    for (const t of c.message.tool_calls ?? []) out += t.function.name + t.function.arguments;
  }
  return out;
}

function isUsage(u: Usage | undefined | null): u is Usage {
  return (
    u !== undefined &&
    u !== null &&
    typeof u.prompt_tokens === 'number' &&
    typeof u.completion_tokens === 'number'
  );
}

function counted(prompt: string, completion: string): Usage {
  const promptTokens = countTokens(prompt);
  const completionTokens = countTokens(completion);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}
