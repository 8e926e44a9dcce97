/**
 * Plugin secrets, below the admin API: where the walker finds them, how a write seals or keeps them, and
 * the raw rows a SQLite file or a PostgreSQL schema holds after a write — and after a node start that
 * seals the secrets an older release stored in clear.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { redactSecrets, secretPlaces } from '../core/secret-fields.js';
import { validate } from '../core/validator.js';
import { SecretBox } from '../keys/secret-box.js';
import type { ResourceTypes } from '../model/index.js';
import { getPlugin, validatePluginInput } from '../plugins/registry.js';
import { openStore, type OpenStoreOptions } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { createConfigService } from './config-service.js';
import { sealPluginSecrets, sealStoredPluginSecrets } from './plugin-secrets.js';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const box = new SecretBox(Buffer.alloc(32, 3));
const HS = 'hs256-PLAINTEXT-secret-of-at-least-32-bytes';
const HS2 = 'hs256-PLAINTEXT-second-secret-32-bytes-long';
const CLIENT = 'client-PLAINTEXT-secret';
const LABEL = 'plugins/jwt-auth/issuers/*/keys/*/secret';

type Plugin = ResourceTypes['plugins'];
const jwtSchema = getPlugin('jwt-auth')?.configSchema;

function jwt(keys: unknown[]): Plugin {
  return { name: 'jwt-auth', config: { issuers: [{ issuer: 'https://i.example', keys }], audiences: ['a'] } };
}
function keysOf(p: Plugin | undefined): Array<Record<string, unknown>> {
  const issuers = (p?.config as { issuers: Array<{ keys: Array<Record<string, unknown>> }> }).issuers;
  return issuers[0]?.keys ?? [];
}
function sealed(input: Plugin, stored?: Plugin): Plugin {
  const out = sealPluginSecrets(input, stored, box);
  assert.deepEqual(out.details, []);
  assert.ok(out.resource);
  return out.resource;
}
function encOf(v: unknown): string {
  return (v as { secret_enc: string }).secret_enc;
}

describe('secret places', () => {
  it('are found along the schema, with pointers, labels and whether leaving them out keeps them', () => {
    const places = secretPlaces(
      jwtSchema,
      jwt([{ kid: 'a', secret: HS }, { jwk: { kty: 'oct', k: 'x' } }]).config,
    );
    assert.deepEqual(
      places.map((p) => [p.pointer, p.label, p.keptWhenAbsent]),
      [
        ['/issuers/0/keys/0/secret', 'issuers/*/keys/*/secret', false],
        ['/issuers/0/keys/1/jwk/k', 'issuers/*/keys/*/jwk/k', false],
      ],
    );
    const intro = getPlugin('oauth2-introspection')?.configSchema;
    const absent = secretPlaces(intro, { endpoint: 'http://127.0.0.1:9', client_id: 'x' });
    assert.deepEqual(
      absent.map((p) => [p.pointer, p.value, p.keptWhenAbsent]),
      [['/client_secret', undefined, true]],
    );
  });

  it('take a reference object on input, and a required one may be left out', () => {
    const base = { endpoint: 'http://127.0.0.1:9', client_id: 'x' };
    assert.deepEqual(validatePluginInput('oauth2-introspection', { ...base }), []);
    for (const ref of [
      { secret_env: 'A_B' },
      { secret_enc: 'kwenc1.x.y.z' },
      { sealed: true },
      { sealed: true, id: 'abc' },
    ])
      assert.deepEqual(
        validatePluginInput('oauth2-introspection', { ...base, client_secret: ref }),
        [],
        JSON.stringify(ref),
      );
    assert.deepEqual(
      validatePluginInput('oauth2-introspection', { ...base, client_secret: { secret: 'x' } }),
      [{ path: '/config/client_secret/secret', message: 'is not a known field' }],
    );
    assert.deepEqual(validatePluginInput('oauth2-introspection', { ...base, client_secret: '' }), [
      { path: '/config/client_secret', message: 'must NOT have fewer than 1 characters' },
    ]);
    // The plugin's own schema (what `create` gets, secrets opened) still requires it.
    assert.equal(
      validate(getPlugin('oauth2-introspection')?.configSchema ?? {}, { ...base }, '/config').length,
      1,
    );
  });
});

describe('sealPluginSecrets', () => {
  it('seals a secret given in clear, and keeps the ciphertext when the same secret comes again', () => {
    const first = sealed(jwt([{ kid: 'a', secret: HS }]));
    const enc = encOf(keysOf(first)[0]?.['secret']);
    assert.equal(box.open(enc, LABEL), HS);
    assert.doesNotMatch(JSON.stringify(first), /PLAINTEXT/);
    assert.equal(encOf(keysOf(sealed(jwt([{ kid: 'a', secret: HS }]), first))[0]?.['secret']), enc);
    assert.equal(
      encOf(keysOf(sealed(jwt([{ kid: 'a', secret: { secret_enc: enc } }]), first))[0]?.['secret']),
      enc,
    );
    const rotated = encOf(keysOf(sealed(jwt([{ kid: 'a', secret: HS2 }]), first))[0]?.['secret']);
    assert.notEqual(rotated, enc);
    assert.equal(box.open(rotated, LABEL), HS2);
  });

  it('keeps stored secrets by id wherever they moved, by position without id, and refuses unknown ids', () => {
    const stored = sealed(
      jwt([
        { kid: 'a', secret: HS },
        { kid: 'b', secret: HS2 },
      ]),
    );
    const view = redactSecrets(jwtSchema, stored.config);
    const shown = keysOf({ name: 'jwt-auth', config: view });
    const [encA, encB] = keysOf(stored).map((k) => encOf(k['secret']));
    // GET, drop key a, PUT: b keeps b's secret although it is now first.
    const kept = sealed(jwt([shown[1]]), stored);
    assert.equal(encOf(keysOf(kept)[0]?.['secret']), encB);
    // `{"sealed": true}` without id: the secret stored at the same place.
    assert.equal(
      encOf(keysOf(sealed(jwt([{ kid: 'a', secret: { sealed: true } }]), stored))[0]?.['secret']),
      encA,
    );
    const unknown = sealPluginSecrets(
      jwt([{ kid: 'b', secret: { sealed: true, id: 'nope' } }]),
      stored,
      box,
      '/plugins/0',
    );
    assert.equal(unknown.resource, undefined);
    assert.deepEqual(
      unknown.details.map((d) => d.path),
      ['/plugins/0/config/issuers/0/keys/0/secret'],
    );
    // Nothing stored: nothing to keep.
    assert.equal(sealPluginSecrets(jwt([{ secret: { sealed: true } }]), undefined, box).resource, undefined);
  });

  it('keeps a required secret left out; without a stored one it is required', () => {
    const intro = (config: Record<string, unknown>): Plugin => ({ name: 'oauth2-introspection', config });
    const base = { endpoint: 'http://127.0.0.1:9', client_id: 'x' };
    const stored = sealed(intro({ ...base, client_secret: CLIENT }));
    assert.deepEqual(
      sealed(intro({ ...base }), stored).config?.['client_secret'],
      stored.config?.['client_secret'],
    );
    const none = sealPluginSecrets(intro({ ...base }), undefined, box);
    assert.deepEqual(none.details, [
      { path: '/config/client_secret', message: 'is required (nothing is stored here to keep)' },
    ]);
    // A stored plugin of another name is not a source of secrets.
    assert.equal(
      sealPluginSecrets(intro({ ...base }), { ...stored, name: 'jwt-auth' }, box).resource,
      undefined,
    );
  });

  it('seals a private key pasted as pem, keeps a public one readable', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const priv = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const out = sealed(
      jwt([
        { kid: 'priv', pem: priv },
        { kid: 'pub', pem: pub },
      ]),
    );
    const [a, b] = keysOf(out);
    assert.equal(box.open(encOf(a?.['pem']), 'plugins/jwt-auth/issuers/*/keys/*/pem'), priv);
    assert.equal(b?.['pem'], pub);
    const view = JSON.stringify(redactSecrets(jwtSchema, out.config));
    assert.ok(view.includes(JSON.stringify(pub).slice(1, 40)), 'a public key stays visible');
    assert.doesNotMatch(view, /PRIVATE KEY|kwenc1/);
  });

  it('refuses to store a secret without a box, and answers views without one', () => {
    const out = sealPluginSecrets(jwt([{ secret: HS }]), undefined, undefined);
    assert.equal(out.resource, undefined);
    assert.match(out.details[0]?.message ?? '', /no secret box/);
    const legacy = redactSecrets(
      jwtSchema,
      jwt([{ secret: HS }, { secret: { secret_env: 'JWT_KEY' } }]).config,
    );
    assert.deepEqual(
      keysOf({ name: 'jwt-auth', config: legacy }).map((k) => k['secret']),
      [{ sealed: true }, { secret_env: 'JWT_KEY' }],
    );
  });
});

interface Target {
  name: string;
  setup(): OpenStoreOptions;
  /** Every row of the resource and audit tables, as text. */
  rows(): Promise<string>;
  teardown(): Promise<void>;
}

function sqlite(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-plugin-secrets-'));
  return {
    name: 'sqlite',
    setup: () => ({ dataDir: dir }),
    rows: () => {
      const db = new Database(join(dir, 'keyway.db'), { readonly: true });
      try {
        return Promise.resolve(
          JSON.stringify([
            db.prepare('select * from plugins').all(),
            db.prepare('select * from audit_log').all(),
          ]),
        );
      } finally {
        db.close();
      }
    },
    teardown: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

function postgres(): Target {
  const schema = `kw_plugin_secrets_${process.pid}_${Date.now()}`;
  const query = async (sql: string): Promise<unknown[]> => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      return (await client.query<Record<string, unknown>>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    name: 'postgres',
    setup: () => ({ databaseUrl: PG_URL, dataDir: tmpdir(), schema }),
    rows: async () =>
      JSON.stringify([
        await query(`select * from "${schema}".plugins`),
        await query(`select * from "${schema}".audit_log`),
      ]),
    teardown: async () => {
      await query(`drop schema if exists "${schema}" cascade`);
    },
  };
}

for (const target of [sqlite(), postgres()]) {
  describe(`plugin secrets in ${target.name} rows`, () => {
    let store: Store;
    before(async () => {
      store = await openStore(target.setup());
    });
    after(async () => {
      await store.close();
      await target.teardown();
    });

    it('hold only ciphertexts after an admin write, in the resource and in the audit row', async () => {
      const config = createConfigService(store, { secrets: box });
      await config.create('plugins', 'default', jwt([{ kid: 'a', secret: HS }]), { name: 'test' });
      await config.create(
        'plugins',
        'default',
        {
          name: 'oauth2-introspection',
          config: { endpoint: 'http://127.0.0.1:9/i', client_id: 'x', client_secret: CLIENT },
        },
        { name: 'test' },
      );
      const rows = await target.rows();
      assert.ok(rows.includes('kwenc1.'), 'the resource rows hold the sealed secrets');
      for (const s of [HS, CLIENT])
        assert.ok(!rows.includes(s), `${target.name} rows hold a secret in clear`);
      const audit = JSON.stringify(await store.listAudit({ limit: 100 }));
      assert.ok(!audit.includes('kwenc1.') && audit.includes('"sealed":true'));
    });

    it('are sealed at node start when an older release wrote them in clear', async () => {
      // Written around the control layer, as a release without sealing did.
      await store.write(async (tx) => {
        await tx.create('plugins', 'default', { ...jwt([{ kid: 'old', secret: HS2 }]), route: 'legacy' });
      });
      assert.ok((await target.rows()).includes(HS2));
      assert.equal(await sealStoredPluginSecrets(store, box), 1);
      assert.equal(await sealStoredPluginSecrets(store, box), 0, 'idempotent');
      const rows = await target.rows();
      assert.ok(!rows.includes(HS2), 'no clear secret left');
      const state = await store.read((tx) => tx.loadWorkspace('default'));
      const legacy = state?.plugins.find((p) => p.route === 'legacy');
      assert.equal(box.open(encOf(keysOf(legacy)[0]?.['secret']), LABEL), HS2);
      const audit = await store.listAudit({ limit: 1 });
      assert.equal(audit.data[0]?.actor, 'system');
    });
  });
}
