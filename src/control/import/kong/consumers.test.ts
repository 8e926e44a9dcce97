// Consumers and credentials: keys imported as they are, JWT credentials bound to the app, ACL groups as
// roles; what Keyway cannot hold reported without quoting it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNote, importKong } from './index.js';

describe('kong import: consumers and credentials', () => {
  it('gives each consumer one app holding its keys and JWT credential keys', () => {
    const { document, notes } = importKong('kong.yaml', {
      _format_version: '3.0',
      consumers: [
        {
          username: 'ann@example.com',
          custom_id: 'crm-1',
          tags: ['gold tier'],
          keyauth_credentials: [
            { key: 'ann-key-0001' },
            { key: 'ann-key-0002', ttl: 3600 },
            { key: 'short' },
          ],
          jwt_secrets: [{ key: 'ann-iss', algorithm: 'HS256', secret: 'x'.repeat(32) }],
          acls: [{ group: 'finance' }, { group: 'ops team' }],
          basicauth_credentials: [{ username: 'ann', password: 'pw' }],
        },
        { custom_id: 'only-custom-id' },
      ],
    });
    assert.deepEqual(document.consumers, [
      {
        username: 'ann-example.com',
        custom_id: 'crm-1',
        tags: ['gold-tier'],
        groups: ['finance', 'ops-team'],
        apps: [
          {
            name: 'ann-example.com',
            description: 'Credentials imported from Kong',
            keys: [{ key: 'ann-key-0001' }, { key: 'ann-key-0002' }],
            client_ids: ['ann-iss'],
          },
        ],
      },
      { username: 'only-custom-id', custom_id: 'only-custom-id' },
    ]);
    const lines = notes.map(formatNote);
    assert.deepEqual(lines, [
      'consumers[0].username (consumer): converted with a difference: renamed to "ann-example.com": Keyway names allow A-Z a-z 0-9 . _ ~ -',
      'consumers[0] (consumer): converted with a difference: tags rewritten: Keyway tags allow A-Z a-z 0-9 . _ : / = - (≤ 64 characters, ≤ 32 tags)',
      'consumers[0].keyauth_credentials[1].ttl (key-auth credential): converted with a difference: imported without expiry: the file does not say when Kong created the key (set expires_at on the key)',
      'consumers[0].keyauth_credentials[2] (key-auth credential): not converted: Keyway imports keys of 8–512 printable ASCII characters (no spaces); issue this consumer a new key',
      'consumers[0].acls[1].group (acl group): converted with a difference: renamed to "ops-team": Keyway roles allow A-Z a-z 0-9 . _ : / = @ -',
      'consumers[0].basicauth_credentials[0] (basicauth_credential): not converted: Keyway has no basic-auth: issue API keys, or import these as keys if the password is the secret',
    ]);
    for (const line of lines) assert.ok(!line.includes('ann-key-000') && !line.includes('"short"'), line);
  });

  it('keeps consumer names unique after rewriting', () => {
    const { document } = importKong('kong.yaml', {
      _format_version: '3.0',
      consumers: [{ username: 'a b' }, { username: 'a-b' }],
    });
    assert.deepEqual(
      document.consumers?.map((c) => c.username),
      ['a-b', 'a-b-2'],
    );
  });
});
