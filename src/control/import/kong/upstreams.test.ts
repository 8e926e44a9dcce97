// Upstreams and targets: default ports, IPv6, algorithms and health checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNote, importKong } from './index.js';

const convert = (doc: Record<string, unknown>) => importKong('kong.yaml', { _format_version: '3.0', ...doc });

describe('kong import: upstreams', () => {
  it('upstreams: targets get Kong’s default port, other algorithms and health checks are reported', () => {
    const { document, notes } = convert({
      upstreams: [
        {
          name: 'pool',
          algorithm: 'consistent-hashing',
          hash_on: 'header',
          hash_on_header: 'x-user',
          healthchecks: { active: { healthy: { interval: 5 } } },
          targets: [
            { target: '10.0.0.1' },
            { target: '10.0.0.2:9000', weight: 0 },
            { target: '::1' },
            { target: '[::2]' },
            { target: '[::3]:81' },
          ],
        },
      ],
      services: [{ name: 's', host: 'pool', port: 8000 }],
    });
    assert.deepEqual(document.upstreams, [
      {
        name: 'pool',
        targets: [
          { target: '10.0.0.1:8000' },
          { target: '10.0.0.2:9000', weight: 0 },
          { target: '[::1]:8000' },
          { target: '[::2]:8000' },
          { target: '[::3]:81' },
        ],
      },
    ]);
    assert.equal(document.services?.[0]?.url, 'http://pool');
    assert.equal(notes.length, 2);
    assert.match(
      formatNote(notes[0]),
      /^upstreams\[0\]\.algorithm \(upstream\): converted with a difference: .*consistent-hashing/,
    );
    assert.match(formatNote(notes[1]), /^upstreams\[0\]\.healthchecks \(upstream\): not converted/);
  });
});
