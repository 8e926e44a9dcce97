/**
 * The Dockerfile, checked without a Docker engine (none runs on the test machines): multi-stage, a
 * non-root user, a health check on /health, every path the build stage copies from the context exists
 * and is not excluded by .dockerignore, the runtime stage copies what bin/keyway.js imports, and the
 * entry point is the package's bin.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/keyway-process.js';

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  // Continuation lines are joined; comments and blank lines dropped.
  const joined = text.replace(/\\\n/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [op = '', ...rest] = line.split(/\s+/);
    if (op.toUpperCase() === 'FROM') stage++;
    out.push({ op: op.toUpperCase(), args: rest.join(' '), stage });
  }
  return out;
}

const dockerfile = instructions(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const last = Math.max(...dockerfile.map((i) => i.stage));

test('two stages: a build stage and a runtime stage on the same Node.js 20 image', () => {
  const froms = dockerfile.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]);
  assert.equal(froms.length, 2);
  assert.match(froms[0] ?? '', /^node:20[.-]/);
  assert.equal(froms[1], froms[0], 'the native module is built for the Node.js that runs it');
});

test('the build stage copies only paths that exist and .dockerignore lets through', () => {
  for (const copy of dockerfile.filter((i) => i.op === 'COPY' && !i.args.includes('--from'))) {
    const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    for (const src of parts.slice(0, -1)) {
      assert.ok(existsSync(join(ROOT, src)), `COPY ${src}: not in the repository`);
      const top = src.replace(/\/$/, '');
      assert.ok(!ignored.some((p) => p.replace(/\/$/, '') === top), `COPY ${src}: excluded by .dockerignore`);
    }
  }
  for (const heavy of ['node_modules', 'dist', '.git', 'data'])
    assert.ok(ignored.includes(heavy), `${heavy} stays out of the build context`);
});

test('the runtime stage has what bin/keyway.js imports, runs as a non-root user, checks /health', () => {
  const runtime = dockerfile.filter((i) => i.stage === last);
  const copied = runtime.filter((i) => i.op === 'COPY').map((i) => i.args);
  for (const needed of ['node_modules', 'dist/src', 'bin', 'package.json'])
    assert.ok(
      copied.some((c) => c.includes(`/${needed}`)),
      `runtime stage copies ${needed}: ${copied.join(' | ')}`,
    );
  const user = runtime.filter((i) => i.op === 'USER').at(-1)?.args;
  assert.ok(user !== undefined && user !== 'root' && user !== '0', `USER ${String(user)}`);
  const health = runtime.find((i) => i.op === 'HEALTHCHECK')?.args ?? '';
  assert.match(health, /\/health/);
});

test('the entry point is the package bin, and CMD starts a node', () => {
  const runtime = dockerfile.filter((i) => i.stage === last);
  const entry = JSON.parse(runtime.find((i) => i.op === 'ENTRYPOINT')?.args ?? '[]') as string[];
  const cmd = JSON.parse(runtime.find((i) => i.op === 'CMD')?.args ?? '[]') as string[];
  assert.deepEqual(entry, ['node', (pkg.bin['keyway'] ?? '').replace(/^\.\//, '')]);
  assert.deepEqual(cmd, ['start']);
});
