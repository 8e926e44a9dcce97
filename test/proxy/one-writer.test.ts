/**
 * One writer of response heads on the data plane (src/pipeline/reply.ts): an answer written anywhere else
 * would skip the respond phase — response-headers and the RateLimit headers would silently miss it, as
 * they once missed AI answers, plugin answers and gateway errors.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `writeHead` may appear, and why. */
const ALLOWED = new Map([
  ['src/pipeline/reply.ts', 'the one writer'],
  ['src/demo/echo-backend.ts', 'the demo upstream, a server of its own'],
  ['src/observe/capture/body-tap.ts', 'wraps the response to capture bodies; writes nothing itself'],
]);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('one writer of response heads', () => {
  it('writeHead appears in src/ only where allowed', () => {
    const found: string[] = [];
    for (const file of sources(join(ROOT, 'src'))) {
      const rel = relative(ROOT, file).split('\\').join('/');
      if (ALLOWED.has(rel)) continue;
      if (/\.writeHead\(/.test(readFileSync(file, 'utf8'))) found.push(rel);
    }
    assert.deepEqual(found, [], 'answer through src/pipeline/reply.ts (replyHead, reply, replyError)');
  });
});
