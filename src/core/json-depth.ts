/**
 * A nesting limit for configuration documents. Deeply nested JSON is a cheap attack: 5,000 levels fit in
 * 25 KB, and JSON.stringify, structuredClone and every recursive walk over such a value overflow the
 * stack (a 500, or worse, a config row nobody can read back). The deepest real configuration — a
 * declarative file's services → routes → plugins → jwt-auth config → issuers → keys → jwk, or a prompt
 * API's JSON output schema — is about 15 levels, so 64 leaves room for any honest document.
 */

/** Arrays and objects counted; the top-level value is level 1. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests arrays/objects deeper than `limit`, in one pass over the text and without
 * parsing it (so the parser never sees a hostile document). Brackets inside strings do not count.
 * Malformed text is the parser's to refuse: this only answers about depth.
 */
export function jsonTextTooDeep(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * The JSON pointer of the first array or object nested deeper than `limit` in an already parsed value
 * (a YAML file), or undefined. Iterative, so the check itself cannot overflow.
 */
export function tooDeepAt(value: unknown, limit = MAX_JSON_DEPTH): string | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 1, path: '' }];
  while (stack.length > 0) {
    const top = stack.pop();
    if (top === undefined || typeof top.value !== 'object' || top.value === null) continue;
    if (top.depth > limit) return top.path;
    const entries: Array<[string, unknown]> = Array.isArray(top.value)
      ? top.value.map((v, i) => [String(i), v])
      : Object.entries(top.value);
    for (const [k, v] of entries.reverse())
      stack.push({ value: v, depth: top.depth + 1, path: `${top.path}/${escapePointer(k)}` });
  }
  return undefined;
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
