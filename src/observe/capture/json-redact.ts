/**
 * Redacts the values of sensitive keys in JSON text, at any depth, keeping the rest of the text as it was.
 *
 * A captured body is usually a prefix cut at the byte limit, which `JSON.parse` refuses — yet the prefix
 * `{"user":"ann","password":"hunt` still holds a password. So this is a single-pass scanner that accepts a
 * JSON text or any prefix of one: a sensitive key's value (string, number, object, array) becomes
 * `"[redacted]"`, and a value the cut left unfinished is redacted to the end. Iterative, with an explicit
 * stack: a body of ten thousand `[` cannot overflow the call stack.
 */
import { REDACTED } from './presented-credentials.js';

export interface JsonRedaction {
  text: string;
  /** False when the text is not JSON (nor a prefix of JSON): the caller falls back to the text rule. */
  valid: boolean;
}

const OBJECT = 0;
const ARRAY = 1;

type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'after';

const LITERAL = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;
const REPLACEMENT = JSON.stringify(REDACTED);

/**
 * `complete`: the text is the whole body (not cut); an unfinished structure is then invalid JSON.
 * `sensitive(name)`: whether an object key's value must go.
 */
export function redactJson(
  text: string,
  sensitive: (name: string) => boolean,
  complete: boolean,
): JsonRedaction {
  const n = text.length;
  const stack: number[] = [];
  const parts: string[] = [];
  let copied = 0;
  let expect: Expect = 'value';
  let redactNext = false;
  let seenTop = false;
  let i = 0;

  const invalid = (): JsonRedaction => ({ text, valid: false });
  const finish = (): JsonRedaction => {
    parts.push(text.slice(copied));
    return { text: parts.join(''), valid: true };
  };

  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) {
      if (complete && (stack.length > 0 || !seenTop || expect !== 'after')) return invalid();
      return finish();
    }
    const c = text[i];
    switch (expect) {
      case 'valueOrClose':
      case 'value': {
        if (expect === 'valueOrClose' && c === ']') {
          stack.pop();
          i++;
          expect = 'after';
          break;
        }
        seenTop = true;
        if (redactNext) {
          redactNext = false;
          const end = skipValue(text, i, complete);
          if (end === -2) return invalid();
          parts.push(text.slice(copied, i), REPLACEMENT);
          if (end === -1) {
            if (complete) return invalid();
            return { text: parts.join(''), valid: true };
          }
          copied = i = end;
          expect = 'after';
          break;
        }
        if (c === '{') {
          stack.push(OBJECT);
          i++;
          expect = 'keyOrClose';
        } else if (c === '[') {
          stack.push(ARRAY);
          i++;
          expect = 'valueOrClose';
        } else {
          const end = c === '"' ? scanString(text, i) : scanLiteral(text, i, complete);
          if (end === -2) return invalid();
          if (end === -1) return complete ? invalid() : finish();
          i = end;
          expect = 'after';
        }
        break;
      }
      case 'keyOrClose':
      case 'key': {
        if (expect === 'keyOrClose' && c === '}') {
          stack.pop();
          i++;
          expect = 'after';
          break;
        }
        if (c !== '"') return invalid();
        const end = scanString(text, i);
        if (end === -1) return complete ? invalid() : finish();
        redactNext = sensitive(keyName(text.slice(i, end)));
        i = end;
        expect = 'colon';
        break;
      }
      case 'colon':
        if (c !== ':') return invalid();
        i++;
        expect = 'value';
        break;
      case 'after': {
        const top = stack[stack.length - 1];
        if (top === undefined) return invalid();
        if (c === ',') expect = top === OBJECT ? 'key' : 'value';
        else if ((c === '}' && top === OBJECT) || (c === ']' && top === ARRAY)) stack.pop();
        else return invalid();
        i++;
        break;
      }
    }
  }
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** Index after the closing quote of the string starting at `i`; -1 when the text ends first. */
function scanString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/**
 * A number, `true`, `false` or `null` at `i`: its end; -1 when a cut text ends inside it (it may have been
 * longer); -2 when invalid.
 */
function scanLiteral(text: string, i: number, complete: boolean): number {
  let j = i;
  while (j < text.length && isLiteralChar(text.charCodeAt(j))) j++;
  if (j === text.length && !complete) return -1;
  return j > i && LITERAL.test(text.slice(i, j)) ? j : -2;
}

function isLiteralChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x2b ||
    c === 0x2d ||
    c === 0x2e
  );
}

/** End of the whole value at `i` (nested objects and arrays included); -1 when the text ends first. */
function skipValue(text: string, i: number, complete: boolean): number {
  const c = text[i];
  if (c === '"') return scanString(text, i);
  if (c !== '{' && c !== '[') return scanLiteral(text, i, complete);
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const d = text[j];
    if (d === '"') {
      j = scanString(text, j);
      if (j === -1) return -1;
      j--;
    } else if (d === '{' || d === '[') depth++;
    else if (d === '}' || d === ']') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

function keyName(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}
