import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Lifecycle } from './lifecycle.js';

describe('node lifecycle', () => {
  it('closes in reverse start order, once, and tries every close', async () => {
    const closed: string[] = [];
    const life = new Lifecycle();
    await life.start(
      'store',
      () => 'db',
      (v) => void closed.push(v),
    );
    life.add('log', () => void closed.push('log'));
    await life.start(
      'proxy',
      () => 'proxy',
      (v, how) => {
        closed.push(`${v}:${how.drainMs}`);
        throw new Error('drain failed');
      },
    );
    await assert.rejects(life.stop({ drainMs: 500 }), /closing proxy failed: drain failed/);
    assert.deepEqual(closed, ['proxy:500', 'log', 'db']);
    await assert.rejects(life.stop({ drainMs: 500 }), /drain failed/);
    assert.equal(closed.length, 3, 'a second stop is the same stop');
  });

  it('after a failed start, closes what started without waiting or throwing', async () => {
    const closed: string[] = [];
    const life = new Lifecycle();
    await life.start(
      'store',
      () => 1,
      () => void closed.push('store'),
    );
    await assert.rejects(
      life.start(
        'proxy',
        () => Promise.reject(new Error('port in use')),
        () => void closed.push('proxy'),
      ),
    );
    await life.start(
      'never',
      () => 2,
      (_v, how) => void closed.push(`never:${how.drainMs}`),
    );
    await life.abandon();
    assert.deepEqual(closed, ['never:0', 'store']);
  });
});
