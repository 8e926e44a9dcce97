/**
 * Reads a declarative YAML file and keeps the map from document paths back to file positions, so every
 * problem can be reported as `FILE:LINE:COL: reason` — whether the YAML parser found it here or the admin
 * API found it later and answered with a JSON pointer into the document.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { MAX_JSON_DEPTH, tooDeepAt } from '../core/json-depth.js';

export interface Position {
  line: number;
  col: number;
}

export interface FileProblem extends Position {
  file: string;
  /** JSON pointer, when the problem is about a field rather than syntax. */
  path?: string;
  message: string;
}

export type LoadResult =
  | { ok: true; value: unknown; locate: (pointer: string) => Position }
  | { ok: false; problems: FileProblem[] };

/** Aliases let a tiny file expand into a huge document ("billion laughs"); real configs use few. */
const MAX_ALIAS_COUNT = 100;

export function formatProblem(p: FileProblem): string {
  const where = `${p.file}:${p.line}:${p.col}`;
  return p.path === undefined ? `${where}: ${p.message}` : `${where}: ${p.path || '/'}: ${p.message}`;
}

export function loadYaml(file: string, text: string): LoadResult {
  const lineCounter = new LineCounter();
  // prettyErrors off: we print our own one-line `file:line:col`, not the parser's code frame.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number): Position => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({ file, ...at(e.pos[0]), message: parserMessage(e.message) })),
    };
  }
  if (!isMap(doc.contents)) {
    const offset = doc.contents?.range?.[0] ?? 0;
    return {
      ok: false,
      problems: [{ file, ...at(offset), message: 'the document must be a mapping (key: value pairs)' }],
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return {
      ok: false,
      problems: [{ file, line: 1, col: 1, message: err instanceof Error ? err.message : String(err) }],
    };
  }
  const locate = (pointer: string): Position => at(offsetOf(doc, pointer));
  // The admin API refuses such a document too; here the answer can point at the line.
  const deep = tooDeepAt(value);
  if (deep !== undefined)
    return { ok: false, problems: [{ file, ...locate(deep), path: deep, message: TOO_DEEP }] };
  return { ok: true, value, locate };
}

const TOO_DEEP = `nests deeper than ${MAX_JSON_DEPTH} levels`;

/**
 * The parser's message, first line only. The YAML composer recurses once per nesting level, so a file
 * nested some thousands of levels deep overflows its stack; it reports that as an error at the position
 * it reached, which is said here as what it is.
 */
function parserMessage(message: string): string {
  if (/call stack/i.test(message)) return TOO_DEEP;
  return message.split('\n')[0] ?? message;
}

/** `/a/b~1c` → ['a', 'b/c'] (RFC 6901). */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Offset in the file of the node a JSON pointer names. For a field that exists, that is its key (where
 * a reader looks for a typo); for one that does not (a missing required field), the nearest parent that
 * does exist.
 */
export function offsetOf(doc: Document, pointer: string): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const token of pointerTokens(pointer)) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === token);
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = /^\d+$/.test(token) ? Number(token) : -1;
      const item: unknown = node.items[index];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    return range?.[0];
  }
  return undefined;
}
