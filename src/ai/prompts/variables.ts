/**
 * A prompt API call's body is its variables, one JSON field each. Checked all at once, so a caller
 * learns every problem from one answer: 400 KW_ERR_PROMPT_VARIABLES with one `details` entry per field
 * (`/text` is required, `/colour` is not a variable of this prompt API, `/n` must be a string…).
 *
 * Values are strings; numbers and booleans are accepted and written the way JSON writes them (`3`,
 * `0.5`, `true`), because a form or a script often sends them unquoted and the template sees text
 * anyway. `null`, objects and arrays are refused: there is no one obvious text for them.
 * `max_length` counts Unicode code points of that text (what a person calls characters).
 */
import { KeywayError, type ErrorDetail } from '../../core/errors.js';

export interface CompiledVariable {
  name: string;
  required: boolean;
  default: string | undefined;
  maxLength: number | undefined;
}

/** Enough to act on, small enough to log: a body with thousands of unknown fields gets this many. */
const MAX_DETAILS = 32;

/**
 * The value of every variable that has one (sent, or its default), or a KeywayError naming each
 * problem. An optional variable without default and not sent has no entry (its slot renders `""`).
 */
export function resolveVariables(
  prompt: string,
  variables: ReadonlyMap<string, CompiledVariable>,
  body: Record<string, unknown>,
): Map<string, string> {
  const values = new Map<string, string>();
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(body)) {
    const v = variables.get(key);
    if (v === undefined) {
      details.push({ path: pointer(clip(key)), message: 'is not a variable of this prompt API' });
      continue;
    }
    const text = asText(body[key]);
    if (text === undefined) {
      details.push({ path: pointer(key), message: 'must be a string, a number or a boolean' });
      continue;
    }
    if (v.maxLength !== undefined && text.length > v.maxLength && codePoints(text) > v.maxLength) {
      details.push({ path: pointer(key), message: `is longer than ${v.maxLength} characters` });
      continue;
    }
    values.set(key, text);
  }
  for (const v of variables.values()) {
    if (Object.hasOwn(body, v.name)) continue;
    if (v.required) details.push({ path: pointer(v.name), message: 'is required' });
    else if (v.default !== undefined) values.set(v.name, v.default);
  }
  if (details.length > 0) throw variablesError(prompt, details);
  return values;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** A caller's field name as echoed back: bounded, so a 1 MB name does not make a 1 MB error. */
function clip(key: string): string {
  return key.length <= 64 ? key : `${key.slice(0, 64)}…`;
}

/** JSON pointer to a top-level field (RFC 6901 §3: `~` and `/` escaped). */
function pointer(key: string): string {
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function variablesError(prompt: string, all: ErrorDetail[]): KeywayError {
  const details = all.slice(0, MAX_DETAILS);
  const listed = details.slice(0, 3).map((d) => `${d.path} ${d.message}`);
  const more = all.length > 3 ? `, and ${all.length - 3} more` : '';
  return new KeywayError(
    'KW_ERR_PROMPT_VARIABLES',
    { reason: `variables of prompt API "${prompt}" do not match: ${listed.join(', ')}${more}` },
    { details },
  );
}
