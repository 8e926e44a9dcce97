// Routes: Kong's path semantics (regex anchoring, literal colons) in Keyway's router.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNote, importKong } from './index.js';

const convert = (doc: Record<string, unknown>) => importKong('kong.yaml', { _format_version: '3.0', ...doc });

describe('kong import: routes', () => {
  it('routes: regex anchored, literal colons kept literal, no path or host → every path', () => {
    const { document, notes } = convert({
      services: [
        {
          name: 's',
          url: 'http://a',
          routes: [
            { name: 're', paths: ['~/v\\d+/items$', '~^/already'] },
            { name: 'colon', paths: ['/a/:b'] },
            {
              name: 'methods-only',
              methods: ['get'],
              headers: { 'x-v': ['1'] },
              strip_path: false,
              preserve_host: true,
            },
            { paths: ['/unnamed'], regex_priority: 5000 },
          ],
        },
      ],
    });
    const routes = document.services?.[0]?.routes ?? [];
    assert.deepEqual(routes[0]?.paths, ['~^/v\\d+/items$', '~^/already']);
    assert.deepEqual(routes[1]?.paths, ['~^/a/:b']);
    assert.deepEqual(routes[2], {
      name: 'methods-only',
      paths: ['/'],
      methods: ['GET'],
      headers: { 'x-v': ['1'] },
      strip_path: false,
      preserve_host: true,
    });
    assert.equal(routes[3]?.name, 's-route-3');
    assert.equal(routes[3]?.priority, 1000);
    assert.deepEqual(notes.map(formatNote), [
      'services[0].routes[1].paths[0] (route): converted with a difference: a segment starting with `:` is a parameter in Keyway: written as a regular expression',
      'services[0].routes[3].regex_priority (route): converted with a difference: Keyway priorities are -1000–1000: 1000',
    ]);
  });
});
