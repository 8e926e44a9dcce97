/**
 * Hostile declarative files: an alias bomb ("billion laughs") and nesting thousands of levels deep are
 * refused by `keyway apply` before any HTTP call, with the file position and a reason, not a stack
 * overflow or an exhausted heap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_JSON_DEPTH } from '../core/json-depth.js';
import { main } from './main.js';
import { loadYaml } from './yaml-locate.js';

/** Ten levels of nine aliases each: 9^10 (3.5 billion) strings once expanded. */
function aliasBomb(): string {
  const lines = ['_format_version: "1"', 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );
  lines.push('services: *a9', '');
  return lines.join('\n');
}

function flowNested(levels: number): string {
  return `_format_version: "1"\nservices:\n  - name: s\n    url: http://a\n    tags: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;
}

function problems(text: string): string[] {
  const r = loadYaml('hostile.yaml', text);
  assert.ok(!r.ok, 'refused');
  return r.problems.map(
    (p) => `${p.line}:${p.col}: ${p.path === undefined ? '' : `${p.path}: `}${p.message}`,
  );
}

test('an alias bomb is refused without being expanded', () => {
  const found = problems(aliasBomb());
  assert.equal(found.length, 1, found.join('\n'));
  assert.match(found[0] ?? '', /alias/i);
});

test('nesting deeper than the limit is refused with the path and line of the first too-deep value', () => {
  // Deep enough to pass the YAML parser, deeper than the admin API takes: refused here, with a position.
  const found = problems(flowNested(100));
  // Root, services, service, tags: the tags array is level 4, so its 61st nested array is level 65.
  const extra = MAX_JSON_DEPTH - 3;
  assert.deepEqual(found, [
    `5:${11 + extra}: /services/0/tags${'/0'.repeat(extra)}: nests deeper than ${MAX_JSON_DEPTH} levels`,
  ]);
  assert.ok(loadYaml('ok.yaml', flowNested(MAX_JSON_DEPTH - 3)).ok, 'exactly the limit is fine');
  assert.ok(!loadYaml('deep.yaml', flowNested(MAX_JSON_DEPTH - 2)).ok, 'one more level is not');
});

test('nesting 5,000 levels deep is refused with a reason, not a stack overflow', () => {
  for (const text of [
    flowNested(5000),
    `_format_version: "1"\nservices:\n${Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i + 2)}- `).join('\n')}x\n`,
  ]) {
    const found = problems(text);
    assert.ok(found.length >= 1);
    for (const p of found) {
      assert.match(p, new RegExp(`nests deeper than ${MAX_JSON_DEPTH} levels`), p);
      assert.doesNotMatch(p, /call stack/);
    }
  }
});

test('keyway apply refuses such files before calling the admin API', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-hostile-'));
  for (const [name, content] of [
    ['bomb.yaml', aliasBomb()],
    ['deep.yaml', flowNested(5000)],
  ] as const) {
    const file = join(dir, name);
    writeFileSync(file, content);
    const printed: string[] = [];
    const output = { out: (t: string) => void printed.push(t), err: (t: string) => void printed.push(t) };
    // Nothing listens on port 9: had the CLI called the admin API, it would say it cannot reach it.
    const env = { KEYWAY_ADMIN_URL: 'http://127.0.0.1:9', KEYWAY_ADMIN_TOKEN: 'kwadm_unused' };
    assert.equal(await main(['apply', '-f', file], env, output), 1, printed.join('\n'));
    const text = printed.join('\n');
    assert.match(text, new RegExp(`${name}:\\d+:\\d+: `));
    assert.match(text, /not applied, nothing changed/);
    assert.doesNotMatch(text, /cannot reach/);
  }
});
