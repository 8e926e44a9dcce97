/**
 * How a variable's value goes into its slot so that it cannot break out of it.
 *
 * Every slot is rendered as a JSON string literal: the value between double quotes with `"` and `\`
 * escaped and every control character written as an escape (JSON.stringify, RFC 8259 §7), and on top of
 * that every character in INVISIBLE below written as `\uXXXX`. So the literal
 * - is one line: a value cannot start a new line that looks like a heading, a role marker
 *   (`System:`, `### Instructions`) or the end of the user's text;
 * - has exactly two unescaped `"`, its own delimiters: a value cannot close its quotes and continue
 *   as template text;
 * - shows no invisible characters: bidi overrides, zero-width characters, Unicode line/paragraph
 *   separators, and tag characters (U+E0000–E007F, "ASCII smuggling" of hidden instructions) appear
 *   as visible escapes instead of steering what the model reads;
 * - decodes (JSON.parse) to exactly the value sent: nothing is dropped, so the model can still quote it.
 * The value is never scanned for placeholders (see ./template.ts). What the words of a value say
 * ("ignore previous instructions") stays the model's to weigh: the literal marks them as data.
 */

/**
 * Characters written as escapes even though JSON allows them raw: C1 controls and DEL, soft hyphen,
 * Arabic letter mark, Hangul/Khmer/Mongolian fillers, zero-width and directional marks, the Unicode line
 * and paragraph separators (line breaks to many readers), bidi embeddings/overrides/isolates, invisible
 * operators, the BOM, interlinear annotation marks, tag characters, supplementary variation selectors.
 */
const INVISIBLE =
  /[\u007f-\u009f\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\u{e0000}-\u{e007f}\u{e0100}-\u{e01ef}]/gu;

export function slotLiteral(value: string): string {
  const json = JSON.stringify(value);
  // The common case (plain text) has none of them: test before allocating a new string.
  INVISIBLE.lastIndex = 0;
  return INVISIBLE.test(json) ? json.replace(INVISIBLE, escapeChar) : json;
}

/** `\uXXXX`, one escape per UTF-16 unit (astral characters become a surrogate pair, as JSON writes them). */
function escapeChar(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}
