/**
 * Prompt templates: text with `{{name}}` slots, parsed once when the snapshot compiles into literal and
 * slot parts, so a request only joins strings. Rendering is single-pass by construction: a value goes
 * into its slot as a finished literal (see ./escape.ts) and is never scanned for placeholders again, so
 * a value holding `{{other}}` stays that text.
 *
 * Syntax: `{{name}}` or `{{ name }}`, where name matches `[A-Za-z_][A-Za-z0-9_]*` (the same rule as the
 * variable names in the prompt API schema). `\{{` writes a literal `{{`. Any other `{{` is a malformed
 * placeholder, reported as a config problem rather than silently sent to the model.
 */
import { slotLiteral } from './escape.js';

/** A literal run of template text, or the slot of one variable. */
export type TemplatePart = string | { readonly slot: string };

export interface ParsedTemplate {
  parts: readonly TemplatePart[];
  /** Variable names in order of first use. */
  names: readonly string[];
  /** Malformed placeholders, each message naming its line and column. */
  problems: readonly string[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/y;

export function parseTemplate(text: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const names: string[] = [];
  const problems: string[] = [];
  let literal = '';
  let from = 0;
  for (let at = text.indexOf('{{'); at !== -1; at = text.indexOf('{{', from)) {
    if (at > 0 && text.charCodeAt(at - 1) === 0x5c /* \ */) {
      literal += `${text.slice(from, at - 1)}{{`;
      from = at + 2;
      continue;
    }
    PLACEHOLDER.lastIndex = at;
    const m = PLACEHOLDER.exec(text);
    if (m === null) {
      problems.push(
        `${position(text, at)}: "{{" starts no placeholder: write {{name}} with a declared variable, or \\{{ for a literal "{{"`,
      );
      literal += text.slice(from, at + 2);
      from = at + 2;
      continue;
    }
    const name = m[1];
    literal += text.slice(from, at);
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push({ slot: name });
    if (!names.includes(name)) names.push(name);
    from = PLACEHOLDER.lastIndex;
  }
  literal += text.slice(from);
  if (literal !== '') parts.push(literal);
  return { parts, names, problems };
}

/**
 * Joins the parts with each slot's value made a literal. A slot whose variable has no value (optional,
 * no default) gets the empty literal `""`, so the model still sees that the input was empty.
 */
export function renderTemplate(parts: readonly TemplatePart[], values: ReadonlyMap<string, string>): string {
  let out = '';
  for (const part of parts) out += typeof part === 'string' ? part : slotLiteral(values.get(part.slot) ?? '');
  return out;
}

/** `line L, column C` (1-based, columns in UTF-16 units as editors count them) of an offset. */
function position(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}
