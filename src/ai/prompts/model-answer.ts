/**
 * What a prompt API makes of the model's answer. For text output, the text. For JSON output, the
 * parsed value, checked against the prompt's schema (or, without a schema, required to be an object,
 * which is what JSON mode promises). A model that does not keep the contract is a failure of the
 * provider side, not of the caller: 502 KW_ERR_AI_PROVIDER, saying what was wrong without echoing the
 * answer (it may be long, and it is the model's, not the caller's, to see in logs).
 *
 * One leniency: a JSON answer wrapped in a Markdown code fence (```json … ```), which models without a
 * native JSON mode often add, is unwrapped before parsing.
 */
import type { ValidateFunction } from 'ajv';
import { KeywayError } from '../../core/errors.js';
import { toDetails } from '../../core/validator.js';
import type { ChatResponse } from '../types.js';

/** The assistant's text, or a 502 when there is none (a refusal, an empty choice list). */
export function answerText(response: ChatResponse): string {
  const choice = response.choices[0];
  const content = choice?.message.content;
  if (typeof content === 'string') return content;
  if (typeof choice?.message.refusal === 'string' && choice.message.refusal !== '')
    throw providerError('the model refused to answer');
  throw providerError('the model returned no text');
}

export function parseJsonAnswer(
  text: string,
  validate: ValidateFunction | undefined,
  finishReason: string | null | undefined,
): unknown {
  let value: unknown;
  try {
    value = JSON.parse(unfence(text));
  } catch {
    throw providerError(
      finishReason === 'length'
        ? 'the model’s answer was cut off at max_tokens before its JSON was complete'
        : 'the model’s answer is not valid JSON',
    );
  }
  if (validate === undefined) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw providerError('the model’s answer is JSON but not an object');
    return value;
  }
  if (!validate(value)) {
    const problems = toDetails(validate.errors ?? []).slice(0, 3);
    const listed = problems.map((d) => `${d.path || '/'} ${d.message}`).join(', ');
    throw providerError(`the model’s answer does not match the output schema (${listed})`);
  }
  return value;
}

const FENCE = /^```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;

function unfence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('```')) return trimmed;
  const m = FENCE.exec(trimmed);
  return m === null ? trimmed : m[1];
}

function providerError(reason: string): KeywayError {
  return new KeywayError('KW_ERR_AI_PROVIDER', { reason });
}
