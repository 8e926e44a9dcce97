import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cancellation } from './cancellation.js';

describe('Cancellation', () => {
  it('aborts once, with its reason, telling every listener still attached', () => {
    const c = new Cancellation();
    const heard: string[] = [];
    const a = (r: Error): void => void heard.push(`a:${r.message}`);
    const b = (r: Error): void => void heard.push(`b:${r.message}`);
    c.onAbort(a);
    c.onAbort(b);
    c.offAbort(a);
    assert.equal(c.aborted, false);
    assert.equal(c.reason === undefined, true);
    c.abort(new Error('gone'));
    c.abort(new Error('again'));
    assert.deepEqual(heard, ['b:gone']);
    assert.equal(c.aborted, true);
    assert.equal(c.reason?.message, 'gone');
    // A listener added after the fact hears at once.
    c.onAbort((r) => heard.push(`late:${r.message}`));
    assert.deepEqual(heard, ['b:gone', 'late:gone']);
  });
});
