import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem, loadYaml, pointerTokens } from './yaml-locate.js';

const GOOD = `_format_version: "1"
services:
  - name: weather
    url: http://weather.internal:8080
    retries: two
    routes:
      - name: weather
        paths: [/weather]
        strip_pth: true
      - name: forecast
        paths:
          - /forecast
`;

function locateOk(text: string): (p: string) => { line: number; col: number } {
  const r = loadYaml('weather.yaml', text);
  assert.ok(r.ok, 'file parses');
  return r.locate;
}

test('a JSON pointer to an existing field points at its key', () => {
  const locate = locateOk(GOOD);
  assert.deepEqual(locate('/services/0/retries'), { line: 5, col: 5 });
  assert.deepEqual(locate('/services/0/routes/0/strip_pth'), { line: 9, col: 9 });
  assert.deepEqual(locate('/services/0/routes/1/paths/0'), { line: 12, col: 13 });
  assert.deepEqual(locate('/_format_version'), { line: 1, col: 1 });
});

test('a missing field falls back to the nearest parent that exists', () => {
  const locate = locateOk(GOOD);
  // /services/0/routes/1/service does not exist: the route item (line 10, the "name" after "- ") is the parent.
  assert.deepEqual(locate('/services/0/routes/1/service'), { line: 10, col: 9 });
  assert.deepEqual(locate('/services/7/name'), { line: 2, col: 1 });
  assert.deepEqual(locate(''), { line: 1, col: 1 });
});

test('pointer tokens unescape ~1 and ~0', () => {
  assert.deepEqual(pointerTokens('/a~1b/c~0d/0'), ['a/b', 'c~d', '0']);
  assert.deepEqual(pointerTokens(''), []);
});

test('plugin config keys with slashes resolve through ~1', () => {
  const locate = locateOk(
    `plugins:\n  - name: response-headers\n    config:\n      set:\n        x/y: "1"\n`,
  );
  assert.deepEqual(locate('/plugins/0/config/set/x~1y'), { line: 5, col: 9 });
});

test('syntax errors are reported with file, line and column and no value', () => {
  const broken = `_format_version: "1"\nservices:\n  - name: weather\n    url: http://x\n   routes: [\n`;
  const r = loadYaml('weather.yaml', broken);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.ok(r.problems.length > 0);
  const first = r.problems[0];
  assert.ok(first !== undefined);
  assert.equal(first.file, 'weather.yaml');
  assert.equal(first.line, 5);
  assert.match(formatProblem(first), /^weather\.yaml:5:\d+: /);
});

test('duplicate keys are an error at the second occurrence', () => {
  const dup = `_format_version: "1"\nservices:\n  - name: weather\n    url: http://a\n    url: http://b\n`;
  const r = loadYaml('dup.yaml', dup);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.problems[0]?.line, 5);
  assert.match(r.problems[0]?.message ?? '', /unique/i);
});

test('a document that is not a mapping is refused', () => {
  const r = loadYaml('list.yaml', '- a\n- b\n');
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.match(
    formatProblem(r.problems[0] ?? { file: '', line: 0, col: 0, message: '' }),
    /^list\.yaml:1:1: the document must be a mapping/,
  );
});

test('alias bombs are refused', () => {
  const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
  const r = loadYaml('bomb.yaml', bomb);
  assert.equal(r.ok, false);
});

test('formatProblem names the path for field problems', () => {
  assert.equal(
    formatProblem({ file: 'w.yaml', line: 3, col: 5, path: '/services/0/url', message: 'must be string' }),
    'w.yaml:3:5: /services/0/url: must be string',
  );
});
