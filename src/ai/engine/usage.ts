/**
 * Usage accounting once a call is complete (a stream that broke or was abandoned included: what was
 * generated was paid for). The provider's own counts are used when it sent them; otherwise tokens are
 * counted with the tokenizer over the prompt and what was generated. The result is left on the request
 * context for the call record, priced from the provider's table, and handed to the policy to charge.
 */
import type { AiUsage } from '../../observe/records/call-record.js';
import type { RequestContext } from '../../proxy/context.js';
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
