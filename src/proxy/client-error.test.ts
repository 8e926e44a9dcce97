import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { overflowIsRequestLine } from './client-error.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('which part of an oversized request tripped the limit', () => {
  it('reads the first line when the read starts the request', () => {
    assert.equal(overflowIsRequestLine(b(`GET /${'a'.repeat(50)} HTTP/1.1\r\nx: y`), undefined, 100), false);
    assert.equal(overflowIsRequestLine(b(`GET /${'a'.repeat(200)}`), undefined, 100), true);
  });

  it('reads where the parser stopped inside a later read', () => {
    const tail = b('aaaa HTTP/1.1\r\nhost: x\r\n');
    assert.equal(overflowIsRequestLine(tail, 4, 100), true, 'the target ended here');
    const value = b('vvvv\r\nx-next: 1\r\n');
    assert.equal(overflowIsRequestLine(value, 4, 100), false, 'a header value ended here');
  });

  it('judges a read that ends inside an element by what it holds', () => {
    assert.equal(overflowIsRequestLine(b('vvv\r\nx-field: vvvv'), undefined, 100), false);
    assert.equal(overflowIsRequestLine(b('k; c2=kkkk; c3=kk'), undefined, 100), false);
    assert.equal(overflowIsRequestLine(b('uuuu&q=1%20x/y'), undefined, 100), true);
  });
});
