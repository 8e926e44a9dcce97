import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsumerLabels, OTHER_CONSUMERS } from './consumer-label.js';

describe('the consumer label guard', () => {
  it('keeps the first names up to the cap, folds and counts the rest, and never forgets an admitted one', () => {
    const g = new ConsumerLabels(2);
    assert.equal(g.label('default', 'acme'), 'acme');
    assert.equal(g.label('team-b', 'acme'), 'acme', 'another workspace’s acme takes room of its own');
    assert.equal(g.distinct, 2);
    assert.equal(g.label('default', 'globex'), OTHER_CONSUMERS);
    assert.equal(g.label('default', 'initech'), OTHER_CONSUMERS);
    assert.equal(g.folded, 2);
    assert.equal(g.label('default', 'acme'), 'acme');
    assert.equal(g.label('team-b', 'acme'), 'acme');
    assert.equal(g.folded, 2);
  });

  it('labels calls without a consumer "" and spends no room on them', () => {
    const g = new ConsumerLabels(1);
    assert.equal(g.label('default', ''), '');
    assert.equal(g.distinct, 0);
    assert.equal(g.label('default', 'acme'), 'acme');
  });
});
