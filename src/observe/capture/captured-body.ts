/**
 * Turns a tapped body prefix into what the call record keeps: its type and size always; for textual types
 * the text, redacted. The rules, in order:
 *
 * - binary or compressed → type and size only;
 * - JSON (or a prefix of JSON) → values of sensitive keys become `"[redacted]"` at any depth;
 * - form → values of sensitive fields become `[redacted]`;
 * - anything else, and JSON that does not parse → kept only if it holds none of the request's credentials;
 * - always: presented credentials and Keyway keys are masked wherever they remain.
 */
import { StringDecoder } from 'node:string_decoder';
import type { BodyPrefix } from './body-tap.js';
import { contentKind } from './content-kind.js';
import { redactForm } from './form-redact.js';
import { redactJson } from './json-redact.js';
import type { PresentedCredentials } from './presented-credentials.js';
import type { SensitiveNames } from './sensitive-names.js';

export interface CapturedBody {
  content_type: string | null;
  content_encoding?: string;
  /** Size of the whole body, not only of what was kept. */
  bytes: number;
  text?: string;
  /** The body was longer than the capture limit: `text` is its beginning. */
  truncated?: true;
  /** Why there is no text although the type is textual. */
  omitted?: 'credential' | 'backlog';
}

export interface BodyRules {
  names: SensitiveNames;
  credentials: PresentedCredentials;
}

export function describeBody(
  body: BodyPrefix,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  /** Undefined: no text this time (too many records waiting to be written), type and size only. */
  rules: BodyRules | undefined,
): CapturedBody | null {
  if (body.bytes === 0) return null;
  const out: CapturedBody = { content_type: contentType ?? null, bytes: body.bytes };
  if (contentEncoding !== undefined) out.content_encoding = contentEncoding;
  const kind = contentKind(contentType, contentEncoding);
  if (kind === 'binary') return out;
  if (rules === undefined) {
    out.omitted = 'backlog';
    return out;
  }
  const { names, credentials } = rules;

  const truncated = body.truncated;
  // A cut multi-byte character is left out rather than shown as U+FFFD.
  const text = truncated ? new StringDecoder('utf8').write(body.prefix()) : body.prefix().toString('utf8');
  if (truncated) out.truncated = true;
  const sensitive = (name: string): boolean => names.field(name);

  let structured: string | undefined;
  if (kind === 'json') {
    const r = redactJson(text, sensitive, !truncated);
    if (r.valid) structured = r.text;
  } else if (kind === 'form') {
    structured = redactForm(text, sensitive, credentials);
  }
  const masked = credentials.mask(structured ?? text, truncated);
  if (structured === undefined && masked.found) {
    out.omitted = 'credential';
    return out;
  }
  out.text = masked.text;
  return out;
}
