/**
 * Plugin secrets through the admin API: the jwt-auth HMAC key (and a JWK's `k`) and the
 * oauth2-introspection client secret are sealed at rest, never in an answer, an error, the audit log or
 * the database file; exported sealed; applied back with no change; kept by a PUT that does not resend
 * them; and opened by the data plane's compile.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretBox } from '../keys/secret-box.js';
import { AgentCache } from '../snapshot/agents.js';
import { compileSnapshot } from '../snapshot/compile.js';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';

const JWT_SECRET = 'jwt-hs256-PLAINTEXT-0f1e2d3c4b5a69788796a5b4';
const JWT_SECRET_2 = 'jwt-hs256-ROTATED-99aa88bb77cc66dd55ee44ff';
const OCT_K = Buffer.from('jwk-oct-PLAINTEXT-secret-of-32-bytes-or-more!').toString('base64url');
const CLIENT_SECRET = 'introspect-PLAINTEXT-c1d2e3f4a5b6';
const ALL = [JWT_SECRET, JWT_SECRET_2, OCT_K, CLIENT_SECRET];

let h: AdminHarness;
/** Every response body this file received, searched for secrets at the end. */
const seen: string[] = [];

before(async () => {
  h = await startAdmin();
});
after(async () => h.close());

async function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  const res = await h.app.inject({
    method,
    url,
    headers: h.auth,
    ...(payload === undefined ? {} : { payload }),
  });
  seen.push(res.body);
  return { status: res.statusCode, body: res.body === '' ? ({} as TestBody) : res.json<TestBody>() };
}

const jwtPlugin = {
  name: 'jwt-auth',
  config: {
    issuers: [
      {
        issuer: 'https://idp.example',
        keys: [
          { kid: 'hs-1', secret: JWT_SECRET },
          { kid: 'oct-1', jwk: { kty: 'oct', k: OCT_K } },
        ],
      },
    ],
    audiences: ['api'],
  },
};
const introspection = {
  name: 'oauth2-introspection',
  service: 'api',
  config: { endpoint: 'http://127.0.0.1:9/introspect', client_id: 'gw', client_secret: CLIENT_SECRET },
};

type Sealed = { sealed: true; id: string };
type JwtConfig = { issuers: Array<{ keys: Array<{ kid: string; secret?: unknown; jwk?: { k: unknown } }> }> };

async function storedPlugin(key: string): Promise<{ config: Record<string, unknown> }> {
  const state = await h.store.read((tx) => tx.loadWorkspace('default'));
  const p = state?.plugins.find(
    (x) => `${x.name}@${x.service === undefined ? 'global' : `service=${x.service}`}` === key,
  );
  assert.ok(p?.config, `${key} stored`);
  return { config: p.config };
}

function without<T extends Record<string, unknown>>(body: T): Omit<T, 'id' | 'created_at' | 'updated_at'> {
  const { id: _i, created_at: _c, updated_at: _u, ...rest } = body;
  return rest;
}

describe('plugin secrets through the admin API', () => {
  it('seals them at rest and shows them only as {"sealed": true, "id"}', async () => {
    assert.equal((await call('POST', '/services', { name: 'api', url: 'http://127.0.0.1:9' })).status, 201);
    const jwt = await call('POST', '/plugins', jwtPlugin);
    assert.equal(jwt.status, 201, JSON.stringify(jwt.body));
    const keys = (jwt.body['config'] as unknown as JwtConfig).issuers[0]?.keys ?? [];
    const secret = keys[0]?.secret as Sealed;
    assert.deepEqual(Object.keys(secret), ['sealed', 'id']);
    assert.equal(secret.sealed, true);
    assert.match(secret.id, /^[A-Za-z0-9_-]{12}$/);
    assert.deepEqual(keys[1]?.jwk, { kty: 'oct', k: { sealed: true, id: (keys[1]?.jwk?.k as Sealed).id } });

    const intro = await call('POST', '/plugins', introspection);
    assert.equal(intro.status, 201, JSON.stringify(intro.body));
    assert.equal((intro.body['config'] as unknown as { client_secret: Sealed }).client_secret.sealed, true);

    for (const url of ['/plugins/jwt-auth@global', `/plugins/${jwt.body.id}`]) {
      assert.deepEqual((await call('GET', url)).body['config'], jwt.body['config']);
    }
    const list = await call('GET', '/plugins');
    assert.equal(list.body.total, 2);
    assert.doesNotMatch(JSON.stringify(list.body), /kwenc1|PLAINTEXT/);

    // In the store: ciphertexts bound to the plugin and the field, opening to the secrets.
    const stored = (await storedPlugin('jwt-auth@global')).config as JwtConfig;
    const enc = (stored.issuers[0]?.keys[0]?.secret as { secret_enc: string }).secret_enc;
    assert.equal(h.secrets.open(enc, 'plugins/jwt-auth/issuers/*/keys/*/secret'), JWT_SECRET);
    assert.equal(h.secrets.open(enc, 'plugins/oauth2-introspection/client_secret'), undefined);
    const k = (stored.issuers[0]?.keys[1]?.jwk?.k as { secret_enc: string }).secret_enc;
    assert.equal(h.secrets.open(k, 'plugins/jwt-auth/issuers/*/keys/*/jwk/k'), OCT_K);
    const cs = (await storedPlugin('oauth2-introspection@service=api')).config['client_secret'];
    assert.equal(
      h.secrets.open((cs as { secret_enc: string }).secret_enc, 'plugins/oauth2-introspection/client_secret'),
      CLIENT_SECRET,
    );
  });

  it('the data plane compiles the plugins with the secrets opened, and not with another server secret', async () => {
    const state = await h.store.loadAll();
    const agents = new AgentCache();
    try {
      const snap = compileSnapshot(state, { agents, secrets: h.secrets });
      await snap.close();
      assert.throws(
        () => compileSnapshot(state, { agents, secrets: new SecretBox(Buffer.alloc(32, 8)) }),
        (err: Error & { details?: Array<{ path: string; message: string }> }) => {
          const paths = err.details?.map((d) => d.path) ?? [];
          assert.ok(
            paths.includes('/default/plugins/jwt-auth@global/config/issuers/0/keys/0/secret'),
            paths.join(),
          );
          assert.doesNotMatch(JSON.stringify(err.details), /kwenc1|PLAINTEXT/);
          return true;
        },
      );
    } finally {
      await agents.close();
    }
  });

  it('PUT without the client secret, or with the body GET gave, keeps the stored secrets', async () => {
    const before = await storedPlugin('oauth2-introspection@service=api');
    const { client_secret: _s, ...rest } = introspection.config;
    const put = await call('PUT', '/plugins/oauth2-introspection@service=api', {
      ...introspection,
      config: { ...rest, timeout_ms: 2000 },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const after = await storedPlugin('oauth2-introspection@service=api');
    assert.deepEqual(after.config['client_secret'], before.config['client_secret']);
    assert.equal(after.config['timeout_ms'], 2000);

    const jwtBefore = await storedPlugin('jwt-auth@global');
    const got = (await call('GET', '/plugins/jwt-auth@global')).body;
    const back = await call('PUT', '/plugins/jwt-auth@global', { ...without(got), tags: ['edited'] });
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.deepEqual((await storedPlugin('jwt-auth@global')).config, jwtBefore.config, 'nothing re-sealed');

    const same = await call('PUT', '/plugins/jwt-auth@global', jwtPlugin);
    assert.equal(same.status, 200);
    assert.deepEqual(
      (await storedPlugin('jwt-auth@global')).config,
      jwtBefore.config,
      'same plaintext, same ciphertext',
    );
  });

  it('keeps the right secret by its id when a key before it is removed, and shows a rotation as a new id', async () => {
    const rotated = await call('PUT', '/plugins/jwt-auth@global', {
      name: 'jwt-auth',
      config: {
        ...jwtPlugin.config,
        issuers: [
          {
            issuer: 'https://idp.example',
            keys: [
              { kid: 'hs-1', secret: JWT_SECRET },
              { kid: 'hs-2', secret: JWT_SECRET_2 },
            ],
          },
        ],
      },
    });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const shown = (rotated.body['config'] as unknown as JwtConfig).issuers[0]?.keys ?? [];
    const [id1, id2] = shown.map((key) => (key.secret as Sealed).id);
    assert.notEqual(id1, id2);

    // The old key leaves: GET, drop the first entry, PUT. hs-2 must keep hs-2's secret, not the first one.
    const got = without((await call('GET', '/plugins/jwt-auth@global')).body);
    const config = got['config'] as JwtConfig;
    config.issuers[0]?.keys.shift();
    const put = await call('PUT', '/plugins/jwt-auth@global', got);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const stored = (await storedPlugin('jwt-auth@global')).config as JwtConfig;
    const enc = (stored.issuers[0]?.keys[0]?.secret as { secret_enc: string }).secret_enc;
    assert.equal(stored.issuers[0]?.keys[0]?.kid, 'hs-2');
    assert.equal(h.secrets.open(enc, 'plugins/jwt-auth/issuers/*/keys/*/secret'), JWT_SECRET_2);
    assert.equal(
      ((put.body['config'] as unknown as JwtConfig).issuers[0]?.keys[0]?.secret as Sealed).id,
      id2,
    );

    // An id that no stored secret has (read before someone else rotated it) is refused, naming the field.
    const stale = await call('PUT', '/plugins/jwt-auth@global', {
      name: 'jwt-auth',
      config: {
        ...jwtPlugin.config,
        issuers: [
          { issuer: 'https://idp.example', keys: [{ kid: 'hs-1', secret: { sealed: true, id: id1 } }] },
        ],
      },
    });
    assert.equal(stale.status, 400);
    assert.equal(stale.body.error.details[0]?.path, '/config/issuers/0/keys/0/secret');
  });

  it('refuses what it cannot seal or open, naming the field and echoing nothing', async () => {
    const v = await h.store.configVersion();
    const foreign = new SecretBox(Buffer.alloc(32, 9)).seal(
      CLIENT_SECRET,
      'plugins/oauth2-introspection/client_secret',
    );
    const refused = await call('PUT', '/plugins/oauth2-introspection@service=api', {
      ...introspection,
      config: { ...introspection.config, client_secret: { secret_enc: foreign } },
    });
    assert.equal(refused.status, 400);
    assert.deepEqual(
      refused.body.error.details.map((d) => d.path),
      ['/config/client_secret'],
    );
    assert.match(refused.body.error.message, /cannot be opened with this node’s secret/);
    assert.ok(!JSON.stringify(refused.body).includes(foreign));

    // A ciphertext of one field replayed into another: refused (bound to plugin and field).
    const stored = (await storedPlugin('jwt-auth@global')).config as JwtConfig;
    const jwtEnc = (stored.issuers[0]?.keys[0]?.secret as { secret_enc: string }).secret_enc;
    const replay = await call('PUT', '/plugins/oauth2-introspection@service=api', {
      ...introspection,
      config: {
        ...introspection.config,
        endpoint: 'http://127.0.0.1:10/steal',
        client_secret: { secret_enc: jwtEnc },
      },
    });
    assert.equal(replay.status, 400);

    const unset = await call('PUT', '/plugins/oauth2-introspection@service=api', {
      ...introspection,
      config: { ...introspection.config, client_secret: { secret_env: 'KEYWAY_TEST_UNSET_CLIENT_SECRET' } },
    });
    assert.equal(unset.status, 400);
    assert.deepEqual(unset.body.error.details, [
      {
        path: '/config/client_secret',
        message: 'environment variable KEYWAY_TEST_UNSET_CLIENT_SECRET is not set',
      },
    ]);

    const both = await call('PUT', '/plugins/oauth2-introspection@service=api', {
      ...introspection,
      config: { ...introspection.config, client_secret: { secret_env: 'X', sealed: true } },
    });
    assert.equal(both.status, 400);
    assert.equal(both.body.error.details[0]?.path, '/config/client_secret');

    const unknownField = await call('PUT', '/plugins/oauth2-introspection@service=api', {
      ...introspection,
      config: { ...introspection.config, client_secret: { secret: CLIENT_SECRET } },
    });
    assert.equal(unknownField.status, 400);

    const short = await call('POST', '/plugins', {
      name: 'jwt-auth',
      route: undefined,
      service: 'api',
      config: {
        issuers: [{ issuer: 'https://x.example', keys: [{ secret: 'short-PLAINTEXT' }] }],
        audiences: ['a'],
      },
    });
    assert.equal(short.status, 400);
    assert.doesNotMatch(JSON.stringify(short.body), /short-PLAINTEXT/);
    assert.equal(await h.store.configVersion(), v, 'nothing changed');
  });

  it('takes a secret by environment variable, shown and exported as the variable name', async () => {
    process.env['KEYWAY_TEST_CLIENT_SECRET'] = CLIENT_SECRET;
    try {
      const res = await call('PATCH', '/plugins/oauth2-introspection@service=api', {
        config: { ...introspection.config, client_secret: { secret_env: 'KEYWAY_TEST_CLIENT_SECRET' } },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual((res.body['config'] as unknown as Record<string, unknown>)['client_secret'], {
        secret_env: 'KEYWAY_TEST_CLIENT_SECRET',
      });
      const doc = JSON.stringify((await call('GET', '/config')).body);
      assert.match(doc, /"client_secret":\{"secret_env":"KEYWAY_TEST_CLIENT_SECRET"\}/);
      const back = await call('PATCH', '/plugins/oauth2-introspection@service=api', {
        config: introspection.config,
      });
      assert.equal(back.status, 200);
    } finally {
      delete process.env['KEYWAY_TEST_CLIENT_SECRET'];
    }
  });

  it('exports secrets sealed; the export and the original file both apply back with no change', async () => {
    const exported = (await call('GET', '/config')).body as unknown as Record<string, unknown>;
    const text = JSON.stringify(exported);
    assert.match(text, /"secret":\{"secret_enc":"kwenc1\./);
    assert.match(text, /"client_secret":\{"secret_enc":"kwenc1\./);
    for (const s of ALL) assert.ok(!text.includes(s), 'no secret in clear in the export');

    const v = await h.store.configVersion();
    const again = await call('POST', '/config', exported);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.deepEqual(again.body.changes, [], 'an export applies back unchanged');

    const jwtNow = (await storedPlugin('jwt-auth@global')).config as JwtConfig;
    const original = {
      _format_version: '1',
      services: [
        {
          name: 'api',
          url: 'http://127.0.0.1:9',
          plugins: [{ name: 'oauth2-introspection', config: introspection.config }],
        },
      ],
      plugins: [
        {
          name: 'jwt-auth',
          config: {
            ...jwtPlugin.config,
            issuers: [{ issuer: 'https://idp.example', keys: [{ kid: 'hs-2', secret: JWT_SECRET_2 }] }],
          },
        },
      ],
    };
    const fromClear = await call('POST', '/config', original);
    assert.equal(fromClear.status, 200, JSON.stringify(fromClear.body));
    assert.deepEqual(fromClear.body.changes, [], 'the same secrets in clear are no change either');
    assert.equal(await h.store.configVersion(), v);
    assert.deepEqual((await storedPlugin('jwt-auth@global')).config, jwtNow);

    // Into another workspace: the ciphertexts open there too (bound to plugin and field, not workspace).
    const copy = await call('POST', '/config', { ...exported, workspace: 'copy' });
    assert.equal(copy.status, 200, JSON.stringify(copy.body));
    const changes = copy.body.changes;
    assert.ok(changes.some((c) => c.kind === 'plugins' && c.action === 'create'));
    assert.doesNotMatch(JSON.stringify(copy.body), /kwenc1|PLAINTEXT/, 'apply results show sealed markers');
  });

  it('never shows a secret: answers, audit log and database file hold neither plaintext nor ciphertext', async () => {
    const audit = await call('GET', '/audit-log?limit=1000');
    assert.ok(audit.body.total > 5);
    assert.match(JSON.stringify(audit.body), /"sealed":true/);
    const rows = JSON.stringify(await h.store.listAudit({ limit: 1000 }));
    const answers = seen.filter((b) => !b.includes('"_format_version"')); // exports carry ciphertexts
    for (const text of [...answers, rows]) {
      for (const s of ALL) assert.ok(!text.includes(s), 'no plaintext secret');
      assert.ok(!text.includes('kwenc1.'), 'no sealed secret');
    }
    for (const file of readdirSync(h.dataDir)) {
      const bytes = readFileSync(join(h.dataDir, file));
      for (const s of ALL) assert.equal(bytes.includes(s), false, `${file} holds a plaintext secret`);
    }
  });
});
