/**
 * AI providers, models and prompt APIs in declarative documents, on SQLite and PostgreSQL: keys sealed on
 * apply, a re-apply of the same file (plaintext or exported ciphertext) is no change, exports carry
 * `secret_enc` only, and nothing reported or audited holds a secret.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PROVIDER_KEY_LABEL, SecretBox } from '../keys/secret-box.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { createConfigService } from './config-service.js';
import { rejectsWith, sqliteStore } from '../../test/helpers/sqlite-store.js';
import type { ConfigService } from './types.js';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const cli = { name: 'cli' };
const PLAIN = 'sk-ant-PLAINTEXT-0123456789';
const box = new SecretBox(Buffer.alloc(32, 3));

function aiDoc(secret = PLAIN): Record<string, unknown> {
  return {
    _format_version: '1',
    workspace: 'ai',
    ai_providers: [
      {
        name: 'claude',
        type: 'anthropic',
        api_version: '2023-06-01',
        keys: [
          { id: 'main', secret },
          { id: 'env', secret_env: 'ANTHROPIC_BACKUP', enabled: false },
        ],
        prices: [{ model: 'claude-sonnet-4-5', input: 3, output: 15, cached_input: 0.3 }],
      },
      { name: 'local', type: 'ollama', base_url: 'http://127.0.0.1:11434' },
    ],
    ai_models: [
      {
        name: 'smart',
        targets: [
          { provider: 'claude', model: 'claude-sonnet-4-5', weight: 9 },
          { provider: 'local', model: 'llama3.1', weight: 1 },
        ],
        fallbacks: ['local/llama3.1'],
      },
    ],
    prompt_apis: [
      {
        name: 'summarize',
        model: 'smart',
        template: 'Summarize in {{words}} words: {{text}}',
        variables: { text: { required: true }, words: { default: '50' } },
        parameters: { temperature: 0.2, max_tokens: 300 },
      },
    ],
  };
}

/** Every text an apply result or the audit log holds, for searching secrets in. */
async function everythingShown(store: Store, results: unknown[]): Promise<string> {
  return JSON.stringify([results, await store.listAudit({ limit: 1000 })]);
}

function scenario(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  describe(`AI resources in declarative files on ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let svc: ConfigService;
    const results: unknown[] = [];

    before(async () => {
      ({ store, cleanup } = await open());
      svc = createConfigService(store, { secrets: box });
    });
    after(() => cleanup());

    async function storedKeys() {
      const ws = await store.read((tx) => tx.loadWorkspace('ai'));
      return ws?.ai_providers.find((p) => p.name === 'claude')?.keys ?? [];
    }

    it('dry run lists the AI resources and writes nothing', async () => {
      const v = await store.configVersion();
      const dry = await svc.apply(aiDoc(), { dryRun: true, actor: cli });
      results.push(dry);
      assert.deepEqual(
        dry.changes.map((c) => `${c.action}:${c.kind}:${c.key}`),
        [
          'create:ai_providers:claude',
          'create:ai_providers:local',
          'create:ai_models:smart',
          'create:prompt_apis:summarize',
        ],
      );
      assert.equal(await store.configVersion(), v);
    });

    it('applies with the key sealed; the same file again changes nothing', async () => {
      const first = await svc.apply(aiDoc(), { dryRun: false, actor: cli });
      results.push(first);
      assert.equal(first.changes.length, 4);
      const keys = await storedKeys();
      assert.equal(box.open(keys[0]?.secret_enc ?? '', PROVIDER_KEY_LABEL), PLAIN);
      assert.equal(keys[0]?.secret, undefined);
      assert.deepEqual(keys[1], { id: 'env', secret_env: 'ANTHROPIC_BACKUP', enabled: false });

      const v = await store.configVersion();
      const again = await svc.apply(aiDoc(), { dryRun: false, actor: cli });
      results.push(again);
      assert.deepEqual(again.changes, []);
      assert.equal(await store.configVersion(), v, 'no write at all');
      assert.deepEqual(await storedKeys(), keys, 'ciphertext kept, not re-sealed');
      assert.deepEqual((await svc.apply(aiDoc(), { dryRun: true, actor: cli })).changes, []);
    });

    it('exports secret_enc, and the export applies back with zero changes', async () => {
      const doc = await svc.export('ai');
      const text = JSON.stringify(doc);
      assert.ok(!text.includes(PLAIN));
      const enc = (await storedKeys())[0]?.secret_enc ?? '';
      assert.deepEqual(doc.ai_providers?.[0]?.keys?.[0], { id: 'main', secret_enc: enc });
      assert.equal(doc.ai_models?.[0]?.name, 'smart');
      assert.equal(doc.prompt_apis?.[0]?.name, 'summarize');
      const again = await svc.apply(doc, { dryRun: false, actor: cli });
      results.push(again);
      assert.deepEqual(again.changes, []);
      assert.equal(JSON.stringify(await svc.export('ai')), text, 'byte-identical export');
    });

    it('a new secret is an update of keys, reported and audited without the secret', async () => {
      const before = (await storedKeys())[0]?.secret_enc;
      const res = await svc.apply(aiDoc('sk-ant-ROTATED-987'), { dryRun: false, actor: cli });
      results.push(res);
      assert.deepEqual(
        res.changes.map((c) => [c.action, c.key, c.fields]),
        [['update', 'claude', ['keys']]],
      );
      assert.deepEqual((res.changes[0]?.after as { keys: unknown }).keys, [
        { id: 'main', sealed: true },
        { id: 'env', secret_env: 'ANTHROPIC_BACKUP', enabled: false },
      ]);
      const after = (await storedKeys())[0]?.secret_enc ?? '';
      assert.notEqual(after, before);
      assert.equal(box.open(after, PROVIDER_KEY_LABEL), 'sk-ant-ROTATED-987');
      const shown = await everythingShown(store, results);
      for (const secret of [PLAIN, 'sk-ant-ROTATED-987', 'kwenc1.'])
        assert.ok(!shown.includes(secret), `${secret} in a result or audit row`);
    });

    it('a file that leaves keys out, or lists them by id, keeps the stored secrets', async () => {
      const keys = await storedKeys();
      const doc = aiDoc();
      const providers = doc['ai_providers'] as Array<Record<string, unknown>>;
      const { keys: _k, ...claude } = providers[0] ?? {};
      providers[0] = claude;
      assert.deepEqual((await svc.apply(doc, { dryRun: false, actor: cli })).changes, []);
      providers[0] = {
        ...claude,
        keys: [
          { id: 'main', sealed: true },
          { id: 'env', enabled: false },
        ],
      };
      assert.deepEqual((await svc.apply(doc, { dryRun: false, actor: cli })).changes, []);
      assert.deepEqual(await storedKeys(), keys);
    });

    it('refuses a secret_enc sealed under another server secret, with its document path', async () => {
      const v = await store.configVersion();
      const doc = await svc.export('ai');
      const foreign = createConfigService(store, { secrets: new SecretBox(Buffer.alloc(32, 4)) });
      const other = structuredClone(doc);
      const key = other.ai_providers?.[0]?.keys?.[0];
      assert.ok(key);
      key.secret_enc = new SecretBox(Buffer.alloc(32, 4)).seal('sk-other', PROVIDER_KEY_LABEL);
      await assert.rejects(
        svc.apply(other, { dryRun: false, actor: cli }),
        rejectsWith('KW_ERR_VALIDATION', ['/ai_providers/0/keys/0/secret_enc']),
      );
      // The other way round: this store's export on a node with another secret, which could not serve it.
      await assert.rejects(
        foreign.apply(doc, { dryRun: true, actor: cli }),
        rejectsWith('KW_ERR_VALIDATION', ['/ai_providers/0/keys/0/secret_enc']),
      );
      const { ai_providers: _p, ...rest } = doc;
      await assert.rejects(
        foreign.apply(
          { ...rest, workspace: 'ai-copy', ai_providers: doc.ai_providers },
          { dryRun: true, actor: cli },
        ),
        rejectsWith('KW_ERR_VALIDATION', ['/ai_providers/0/keys/0/secret_enc']),
      );
      assert.equal(await store.configVersion(), v);
    });

    it('refuses to enable a secret_env key whose variable this node does not have', async () => {
      const v = await store.configVersion();
      const doc = aiDoc();
      const keys = (doc['ai_providers'] as Array<{ keys: Array<Record<string, unknown>> }>)[0]?.keys ?? [];
      keys[1] = { id: 'env', secret_env: 'KEYWAY_TEST_UNSET_PROVIDER_KEY' };
      await assert.rejects(
        svc.apply(doc, { dryRun: true, actor: cli }),
        rejectsWith('KW_ERR_VALIDATION', ['/ai_providers/0/keys/1/secret_env']),
      );
      assert.equal(await store.configVersion(), v);
    });

    it('maps unresolved AI references to document paths and changes nothing', async () => {
      const v = await store.configVersion();
      const doc = aiDoc();
      (doc['ai_models'] as Array<Record<string, unknown>>).push({
        name: 'broken',
        targets: [{ provider: 'nope', model: 'x' }],
      });
      (doc['prompt_apis'] as Array<Record<string, unknown>>)[0] = {
        name: 'summarize',
        model: 'missing-alias',
        template: 't',
      };
      await assert.rejects(
        svc.apply(doc, { dryRun: false, actor: cli }),
        rejectsWith('KW_ERR_VALIDATION', ['/ai_models/1/targets/0/provider', '/prompt_apis/0/model']),
      );
      const schema = aiDoc();
      (schema['ai_providers'] as Array<Record<string, unknown>>)[0] = { name: 'x', type: 'nope', colour: 1 };
      await assert.rejects(
        svc.apply(schema, { dryRun: true, actor: cli }),
        rejectsWith('KW_ERR_VALIDATION', ['/ai_providers/0/type', '/ai_providers/0/colour']),
      );
      assert.equal(await store.configVersion(), v);
    });

    it('removing the AI resources from the file deletes them, referrers first', async () => {
      const res = await svc.apply({ _format_version: '1', workspace: 'ai' }, { dryRun: false, actor: cli });
      assert.deepEqual(
        res.changes.map((c) => `${c.action}:${c.kind}`),
        ['delete:prompt_apis', 'delete:ai_models', 'delete:ai_providers', 'delete:ai_providers'],
      );
      results.push(res);
      const shown = await everythingShown(store, results);
      assert.ok(!shown.includes(PLAIN) && !shown.includes('kwenc1.'));
    });

    it('PATCH with keys: null empties the pool (the service merges like RFC 7396)', async () => {
      await svc.apply(aiDoc(), { dryRun: false, actor: cli });
      const patched = await svc.patch('ai_providers', 'ai', 'claude', { keys: null }, cli);
      assert.equal(patched.keys, undefined);
      assert.deepEqual(await storedKeys(), []);
    });
  });
}

scenario('sqlite', sqliteStore);

scenario('postgres', async () => {
  const schema = `kw_ai_decl_test_${process.pid}_${Date.now()}`;
  const store = await openStore({ databaseUrl: PG_URL, dataDir: tmpdir(), schema });
  return {
    store,
    cleanup: async () => {
      await store.close();
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
});
