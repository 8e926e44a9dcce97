// Services: Kong's defaults and URL parts carried into Keyway's fields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNote, importKong } from './index.js';

const convert = (doc: Record<string, unknown>) => importKong('kong.yaml', { _format_version: '3.0', ...doc });

describe('kong import: services', () => {
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
});
