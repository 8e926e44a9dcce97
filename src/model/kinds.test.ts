/** The kind registry: what every derived list relies on. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOCUMENT_KINDS, KINDS, RESOURCE_KINDS, type ResourceKind } from './index.js';

describe('the kind registry', () => {
  it('lists every kind once in document order and once in apply order', () => {
    assert.deepEqual([...DOCUMENT_KINDS].sort(), Object.keys(KINDS).sort());
    assert.deepEqual([...RESOURCE_KINDS].sort(), [...DOCUMENT_KINDS].sort());
    assert.equal(new Set(RESOURCE_KINDS).size, RESOURCE_KINDS.length);
    for (const kind of DOCUMENT_KINDS) assert.equal(KINDS[kind].kind, kind);
  });

  it('applies referenced kinds first: creating in this order never dangles', () => {
    const seen = new Set<ResourceKind>();
    for (const kind of RESOURCE_KINDS) {
      for (const ref of KINDS[kind].references) {
        assert.ok(ref.kind in KINDS, `${kind}.${ref.field} names an unknown kind "${ref.kind}"`);
        assert.ok(seen.has(ref.kind), `${kind}.${ref.field} refers to ${ref.kind}, applied later`);
      }
      seen.add(kind);
    }
  });

  it('names each reference field in the schema of the kind that holds it', () => {
    for (const kind of DOCUMENT_KINDS) {
      const props = (KINDS[kind].schema as { properties: Record<string, unknown> }).properties;
      for (const ref of KINDS[kind].references) assert.ok(ref.field in props, `${kind}.${ref.field}`);
    }
  });
});
