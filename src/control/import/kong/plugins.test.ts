// Plugins: each Kong plugin → Keyway's at the same scope, or a report line with the reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNote, importKong } from './index.js';

const base = {
  _format_version: '3.0',
  services: [
    {
      name: 's',
      url: 'http://a',
      routes: [
        { name: 'r', paths: ['/r'] },
        { name: 'r2', paths: ['/r2'] },
      ],
    },
  ],
  consumers: [
    { id: '5f0c1d52-0000-4000-8000-000000000001', username: 'guest' },
    { username: 'ann', jwt_secrets: [{ key: 'ann-iss', secret: Buffer.alloc(32, 1).toString('base64') }] },
    { username: 'bob', jwt_secrets: [{ key: 'bob-iss', algorithm: 'HS256', secret: 'too-short' }] },
  ],
};

const convert = (plugins: unknown[], opts = {}) => importKong('kong.yaml', { ...base, plugins }, opts);
const lines = (plugins: unknown[], opts = {}) => convert(plugins, opts).notes.map(formatNote);

describe('kong import: plugins', () => {
  it('key-auth: header and query names as Kong read them, anonymous by id → username', () => {
    const { document } = convert([
      {
        name: 'key-auth',
        service: 's',
        config: { key_names: ['apikey', 'x-key'], anonymous: '5f0c1d52-0000-4000-8000-000000000001' },
      },
      { name: 'key-auth', route: 'r', config: { key_in_query: false, hide_credentials: true } },
    ]);
    assert.deepEqual(document.services?.[0]?.plugins, [
      {
        name: 'key-auth',
        config: { key_names: ['apikey', 'x-key'], query_names: ['apikey', 'x-key'], anonymous: 'guest' },
      },
    ]);
    assert.deepEqual(document.services?.[0]?.routes?.[0]?.plugins, [
      { name: 'key-auth', config: { key_names: ['apikey'], hide_credentials: true } },
    ]);
  });

  it('jwt: one issuer per usable credential, base64 secrets re-encoded, short secrets reported', () => {
    const { document, notes } = convert([{ name: 'jwt', route: 'r', config: { secret_is_base64: true } }], {
      jwtAudiences: ['api'],
    });
    const cfg = document.services?.[0]?.routes?.[0]?.plugins?.[0]?.config as Record<string, unknown>;
    assert.deepEqual(cfg['issuers'], [
      {
        issuer: 'ann-iss',
        keys: [{ secret: Buffer.alloc(32, 1).toString('base64url'), secret_encoding: 'base64url' }],
      },
    ]);
    assert.deepEqual(cfg['identity'], [{ claim: 'iss', lookup: 'client_id' }]);
    assert.deepEqual(cfg['query_param_names'], ['jwt']);
    assert.deepEqual(cfg['required_claims'], []);
    assert.deepEqual(notes.map(formatNote), [
      'consumers[2].jwt_secrets[0] (jwt credential): not converted: Keyway requires HMAC secrets of at least 32 bytes (RFC 7518 §3.2): give the consumer a longer secret',
    ]);
    assert.ok(!JSON.stringify(notes).includes('too-short'));
  });

  it('acl: allow → acl roles, deny → an access-rules deny rule on the consumer’s groups', () => {
    const { document } = convert([
      { name: 'acl', route: 'r', config: { allow: ['gold'] } },
      { name: 'acl', route: 'r2', config: { deny: ['blocked', 'x"y'] } },
    ]);
    assert.deepEqual(document.services?.[0]?.routes?.[0]?.plugins, [
      { name: 'acl', config: { roles: ['gold'] } },
    ]);
    const rule = (document.services?.[0]?.routes?.[1]?.plugins?.[0]?.config as { rules: { when: string }[] })
      .rules[0];
    assert.equal(rule?.when, 'consumer.groups.exists(g, g in ["blocked", "x-y"])');
  });

  it('rate-limiting on a route: the route’s own limits; wider: a plan counted across its routes', () => {
    const { document } = convert([
      {
        name: 'rate-limiting',
        route: 'r',
        config: { second: 5, minute: 100, month: 10000, limit_by: 'ip', fault_tolerant: false },
      },
      { name: 'rate-limiting', service: 's', config: { hour: 50, limit_by: 'service' } },
      { name: 'rate-limiting', config: { minute: 10, limit_by: 'header', header_name: 'x-tenant' } },
    ]);
    assert.deepEqual(document.services?.[0]?.routes?.[0]?.plugins, [
      {
        name: 'rate-limit',
        config: {
          limits: [
            { limit: 5, window: '1s', by: ['ip'] },
            { limit: 100, window: '1m', by: ['ip'] },
          ],
          policy: 'fail_closed',
        },
      },
      {
        name: 'quota',
        config: { quotas: [{ limit: 10000, period: 'month', by: ['ip'] }], policy: 'fail_closed' },
      },
    ]);
    assert.deepEqual(document.plans, [
      {
        name: 'kong-rate-limiting-s',
        description: 'Kong rate-limiting at plugins[1]',
        rate_limits: [{ limit: 50, window: '1h', by: ['plan'] }],
      },
      {
        name: 'kong-rate-limiting-global',
        description: 'Kong rate-limiting at plugins[2]',
        rate_limits: [{ limit: 10, window: '1m', by: ['header'], header: 'x-tenant' }],
      },
    ]);
    assert.deepEqual(document.services?.[0]?.plugins, [
      { name: 'rate-limit', config: { plan: 'kong-rate-limiting-s', policy: 'fail_open' } },
    ]);
    assert.deepEqual(document.plugins, [
      { name: 'rate-limit', config: { plan: 'kong-rate-limiting-global', policy: 'fail_open' } },
    ]);
  });

  it('scopes: consumer plugins nest in the consumer, route + consumer stays at the top, disabled stays disabled', () => {
    const { document } = convert([
      { name: 'ip-restriction', consumer: 'ann', config: { deny: ['10.0.0.1'] } },
      {
        name: 'ip-restriction',
        route: 'r',
        consumer: { username: 'ann' },
        enabled: false,
        config: { allow: ['10.0.0.0/8'] },
      },
    ]);
    assert.deepEqual(document.consumers?.[1]?.plugins, [
      { name: 'ip-restriction', config: { deny: ['10.0.0.1'] } },
    ]);
    assert.deepEqual(document.plugins, [
      {
        name: 'ip-restriction',
        enabled: false,
        config: { allow: ['10.0.0.0/8'] },
        route: 'r',
        consumer: 'ann',
      },
    ]);
  });

  it('reports what has no counterpart, and non-default fields Keyway cannot carry', () => {
    assert.deepEqual(
      lines([
        { name: 'cors', config: {} },
        { name: 'proxy-cache', service: 's', config: {} },
        { name: 'my-custom-plugin', config: {} },
        { name: 'ip-restriction', config: { allow: ['10.0.0.0/8'], status: 401, message: 'go away' } },
        {
          name: 'response-transformer',
          config: { remove: { headers: ['server'], json: ['debug'] }, rename: { headers: ['a:b'] } },
        },
        { name: 'jwt', config: {} },
      ]).sort(),
      [
        'plugins[0] (cors): not converted: Keyway has no CORS plugin yet: preflight requests reach the route’s plugins and the upstream',
        'plugins[1] (proxy-cache): not converted: Keyway has no response cache yet',
        'plugins[2] (my-custom-plugin): not converted: Keyway has no equivalent plugin',
        'plugins[3].config.status (ip-restriction): not converted: Keyway answers 403 KW_ERR_IP_DENIED',
        'plugins[3].config.message (ip-restriction): not converted: Keyway answers with its own error body',
        'plugins[4].config.rename.headers (response-transformer): not converted: Keyway cannot rename a response header',
        'plugins[4].config.remove.json (response-transformer): not converted: Keyway does not edit response bodies',
        'plugins[5] (jwt): not converted: Keyway checks a token’s aud against audiences, which Kong’s jwt plugin does not have: import again with --jwt-audience AUD (the aud your tokens carry)',
      ].sort(),
    );
  });
});
