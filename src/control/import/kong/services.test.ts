// Services, routes and upstreams: Kong's defaults and semantics carried into Keyway's fields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNote, importKong } from './index.js';

const convert = (doc: Record<string, unknown>) => importKong('kong.yaml', { _format_version: '3.0', ...doc });

describe('kong import: services, routes, upstreams', () => {
  it('writes Kong’s defaults where Keyway’s differ, and builds the URL from its parts', () => {
    const { document, notes } = convert({
      services: [
        { name: 's', protocol: 'https', host: 'api.internal', port: 8443, path: '/v1', read_timeout: 5000 },
      ],
    });
    assert.deepEqual(document.services, [
      {
        name: 's',
        url: 'https://api.internal:8443/v1',
        connect_timeout_ms: 60000,
        read_timeout_ms: 5000,
        retries: 5,
        routes: [],
      },
    ]);
    assert.match(
      formatNote(notes[0]),
      /^services\[0\] \(service\): converted with a difference: Kong does not verify/,
    );
  });

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

  it('top-level routes join their service; non-HTTP services are reported with their routes left out', () => {
    const { document, notes } = convert({
      services: [
        { name: 'web', url: 'http://a' },
        { name: 'grpc', url: 'grpc://b:50051', routes: [{ name: 'g', paths: ['/g'] }] },
      ],
      routes: [
        { name: 'top', service: { name: 'web' }, paths: ['/top'] },
        { name: 'g2', service: 'grpc', paths: ['/g2'] },
      ],
    });
    assert.equal(document.services?.length, 1);
    assert.equal(document.services?.[0]?.routes?.[0]?.name, 'top');
    assert.deepEqual(notes.map(formatNote), [
      'services[1] (service): not converted: Keyway proxies HTTP and HTTPS only, not grpc; its routes and plugins are left out too',
    ]);
  });

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
