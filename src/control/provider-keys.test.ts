import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROVIDER_KEY_LABEL, SecretBox } from '../keys/secret-box.js';
import type { AiProvider } from '../model/index.js';
import { sameSecret, sealProviderKeys, withoutSealedMarkers } from './provider-keys.js';
import { keyView, redactFields } from './resource-view.js';

const box = new SecretBox(Buffer.alloc(32, 1));
const otherBox = new SecretBox(Buffer.alloc(32, 2));

function provider(keys?: AiProvider['keys']): AiProvider {
  return keys === undefined ? { name: 'oa', type: 'openai' } : { name: 'oa', type: 'openai', keys };
}

function sealedKeys(input: AiProvider, stored?: AiProvider, b: SecretBox | undefined = box) {
  const out = sealProviderKeys(input, stored, b);
  assert.deepEqual(out.details, []);
  return out.resource?.keys ?? [];
}

describe('sealProviderKeys', () => {
  it('replaces a plaintext secret by a ciphertext that opens to it, and keeps secret_env as is', () => {
    const keys = sealedKeys(
      provider([
        { id: 'k1', secret: 'sk-one', enabled: false },
        { id: 'k2', secret_env: 'OPENAI_KEY' },
      ]),
    );
    assert.equal(keys.length, 2);
    assert.deepEqual(Object.keys(keys[0] ?? {}), ['id', 'secret_enc', 'enabled'], 'schema order, no secret');
    assert.equal(box.open(keys[0]?.secret_enc ?? '', PROVIDER_KEY_LABEL), 'sk-one');
    assert.equal(keys[0]?.enabled, false);
    assert.deepEqual(keys[1], { id: 'k2', secret_env: 'OPENAI_KEY' });
    assert.doesNotMatch(JSON.stringify(keys), /sk-one/);
  });

  it('keeps the stored ciphertext when the same plaintext comes again, re-seals a new one', () => {
    const stored = provider(sealedKeys(provider([{ id: 'k1', secret: 'sk-one' }])));
    const enc = stored.keys?.[0]?.secret_enc;
    assert.equal(sealedKeys(provider([{ id: 'k1', secret: 'sk-one' }]), stored)[0]?.secret_enc, enc);
    const changed = sealedKeys(provider([{ id: 'k1', secret: 'sk-two' }]), stored)[0]?.secret_enc ?? '';
    assert.notEqual(changed, enc);
    assert.equal(box.open(changed, PROVIDER_KEY_LABEL), 'sk-two');
    // Same secret under another id is a new key: sealed afresh, never matched across ids.
    assert.notEqual(sealedKeys(provider([{ id: 'k9', secret: 'sk-one' }]), stored)[0]?.secret_enc, enc);
  });

  it('keeps the stored pool when keys are left out, and a key listed by id alone keeps its secret', () => {
    const stored = provider(
      sealedKeys(
        provider([
          { id: 'k1', secret: 'sk-one' },
          { id: 'k2', secret_env: 'K2' },
        ]),
      ),
    );
    assert.deepEqual(sealProviderKeys(provider(), stored, box).resource?.keys, stored.keys);
    const kept = sealedKeys(provider([{ id: 'k2', enabled: false }, { id: 'k1' }]), stored);
    assert.deepEqual(kept, [
      { id: 'k2', secret_env: 'K2', enabled: false },
      { id: 'k1', secret_enc: stored.keys?.[0]?.secret_enc },
    ]);
    assert.deepEqual(sealedKeys(provider([]), stored), [], 'an empty list empties the pool');
  });

  it('accepts a secret_enc sealed by a node with the same secret, refuses one from another secret', () => {
    const foreign = otherBox.seal('sk-one', PROVIDER_KEY_LABEL);
    const refused = sealProviderKeys(
      provider([{ id: 'k1', secret_enc: foreign }]),
      undefined,
      box,
      '/ai_providers/3',
    );
    assert.equal(refused.resource, undefined);
    assert.equal(refused.details[0]?.path, '/ai_providers/3/keys/0/secret_enc');
    assert.match(refused.details[0]?.message ?? '', /cannot be opened with this node’s secret/);
    assert.doesNotMatch(JSON.stringify(refused.details), /kwenc1|sk-one/);

    const sameSecret = new SecretBox(Buffer.alloc(32, 1)).seal('sk-one', PROVIDER_KEY_LABEL);
    assert.deepEqual(sealedKeys(provider([{ id: 'k1', secret_enc: sameSecret }])), [
      { id: 'k1', secret_enc: sameSecret },
    ]);
    // Sealed under another label (some other kind of secret): not a provider key.
    const wrongLabel = box.seal('sk-one', 'something.else');
    assert.equal(
      sealProviderKeys(provider([{ id: 'k1', secret_enc: wrongLabel }]), undefined, box).resource,
      undefined,
    );
  });

  it('keeps a stored ciphertext handed back unchanged even when this node cannot open it', () => {
    const foreign = otherBox.seal('sk-one', PROVIDER_KEY_LABEL);
    const stored = provider([{ id: 'k1', secret_enc: foreign }]);
    assert.deepEqual(sealedKeys(provider([{ id: 'k1', secret_enc: foreign }]), stored), stored.keys);
  });

  it('a new secret_enc equal in plaintext to the stored one keeps the stored ciphertext', () => {
    const stored = provider(sealedKeys(provider([{ id: 'k1', secret: 'sk-one' }])));
    const again = box.seal('sk-one', PROVIDER_KEY_LABEL);
    assert.equal(
      sealedKeys(provider([{ id: 'k1', secret_enc: again }]), stored)[0]?.secret_enc,
      stored.keys?.[0]?.secret_enc,
    );
  });

  it('reports every bad key with its path: several secrets, no secret, duplicate id, no box', () => {
    const out = sealProviderKeys(
      provider([
        { id: 'a', secret: 'x', secret_env: 'X' },
        { id: 'b' },
        { id: 'c', secret: 'y' },
        { id: 'c', secret: 'z' },
      ]),
      undefined,
      box,
    );
    assert.equal(out.resource, undefined);
    assert.deepEqual(
      out.details.map((d) => d.path),
      ['/keys/0', '/keys/1', '/keys/3/id'],
    );
    assert.doesNotMatch(JSON.stringify(out.details), /"x"|"y"|"z"/);
    const noBox = sealProviderKeys(provider([{ id: 'a', secret: 'x' }]), undefined, undefined);
    assert.equal(noBox.details[0]?.path, '/keys/0/secret');
    assert.deepEqual(sealedKeys(provider([{ id: 'a', secret_env: 'A' }]), undefined, undefined), [
      { id: 'a', secret_env: 'A' },
    ]);
  });

  it('compares secrets without a length shortcut', () => {
    assert.equal(sameSecret('sk-one', 'sk-one'), true);
    assert.equal(sameSecret('sk-one', 'sk-one-longer'), false);
    assert.equal(sameSecret('', ''), true);
  });
});

describe('provider key views', () => {
  it('shows id, secret_env, sealed and enabled, never the secret', () => {
    assert.deepEqual(keyView({ id: 'k1', secret_enc: 'kwenc1.a.b.c', enabled: true }), {
      id: 'k1',
      sealed: true,
      enabled: true,
    });
    assert.deepEqual(keyView({ id: 'k2', secret_env: 'K2' }), { id: 'k2', secret_env: 'K2' });
    assert.deepEqual(keyView({ id: 'k3', secret: 'sk-clear' }), { id: 'k3', sealed: true });
    assert.deepEqual(redactFields('services', { keys: [{ secret: 'x' }] }), { keys: [{ secret: 'x' }] });
    assert.doesNotMatch(
      JSON.stringify(
        redactFields('ai_providers', provider([{ id: 'k', secret: 'sk-clear', secret_enc: 'kwenc1.x' }])),
      ),
      /sk-clear|kwenc1/,
    );
  });

  it('drops the sealed marker a GET shows, so a fetched body can be sent back', () => {
    assert.deepEqual(
      withoutSealedMarkers({
        name: 'oa',
        keys: [
          { id: 'k1', sealed: true },
          { id: 'k2', sealed: 'x' },
        ],
      }),
      {
        name: 'oa',
        keys: [{ id: 'k1' }, { id: 'k2', sealed: 'x' }],
      },
    );
    assert.equal(withoutSealedMarkers('nope'), 'nope');
  });
});
