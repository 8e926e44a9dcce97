import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS, KeywayError } from './errors.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('error registry', () => {
  it('documents every code with its status in docs/errors.md', () => {
    for (const [code, def] of Object.entries(ERRORS)) {
      const cells = docs
        .split('\n')
        .map((l) => l.split('|').map((c) => c.trim()))
        .find((c) => c[1] === `\`${code}\``);
      assert.ok(cells !== undefined, `${code} is missing from docs/errors.md`);
      assert.equal(cells[2], String(def.status), `${code}: docs say another status than ${def.status}`);
    }
  });

  it('documents no code that does not exist', () => {
    for (const m of docs.matchAll(/\| `(KW_ERR_[A-Z_]+)`/g))
      assert.ok(m[1] !== undefined && m[1] in ERRORS, `${m[1]} is not in the registry`);
  });

  it('formats messages with their parameters and keeps the body client-safe', () => {
    const err = new KeywayError(
      'KW_ERR_NOT_FOUND',
      { kind: 'service', name: 'weather' },
      { details: [{ path: '/name', message: 'x' }] },
    );
    assert.equal(err.status, 404);
    assert.deepEqual(err.toBody('r1'), {
      error: {
        code: 'KW_ERR_NOT_FOUND',
        message: 'service "weather" not found',
        request_id: 'r1',
        details: [{ path: '/name', message: 'x' }],
      },
    });
  });
});
