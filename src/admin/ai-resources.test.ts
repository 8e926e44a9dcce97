/**
 * The AI resource kinds through the admin API: CRUD per workspace, references checked by the AI catalog,
 * and provider keys sealed at rest — never in an answer, an error, the audit log or the database file,
 * yet usable by the data plane.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCatalog } from '../ai/catalog.js';
import { PROVIDER_KEY_LABEL, SecretBox } from '../keys/secret-box.js';
import { AgentCache } from '../snapshot/agents.js';
import type { ConfigProblem } from '../model/config-problem.js';
import { compileSnapshot } from '../snapshot/compile.js';
import { startAdmin, type AdminHarness, type TestBody } from '../../test/helpers/admin-harness.js';

const PLAIN = 'sk-live-PLAINTEXT-a1b2c3d4e5f6';
const PLAIN2 = 'sk-live-ROTATED-z9y8x7w6';

let h: AdminHarness;
/** Every response body this file received, to search for secrets at the end. */
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

const provider = {
  name: 'oa',
  type: 'openai',
  base_url: 'http://127.0.0.1:9/v1',
  keys: [
    { id: 'k1', secret: PLAIN },
    { id: 'k2', secret_env: 'OA_BACKUP_KEY', enabled: false },
  ],
  prices: [{ model: 'gpt-4o-mini', input: 0.15, output: 0.6 }],
  tags: ['llm'],
};
const model = { name: 'smart', targets: [{ provider: 'oa', model: 'gpt-4o-mini', weight: 3 }], retries: 2 };
const prompt = {
  name: 'sentiment',
  model: 'smart',
  template: 'Classify the sentiment of: {{text}}',
  variables: { text: { description: 'The text', required: true } },
  output: { format: 'text' },
};

async function storedProvider(ws = 'default') {
  const state = await h.store.read((tx) => tx.loadWorkspace(ws));
  const p = state?.ai_providers.find((x) => x.name === 'oa');
  assert.ok(p, 'provider stored');
  return p;
}

describe('AI resources through the admin API', () => {
  it('creates a provider with its key sealed at rest and shown only as sealed', async () => {
    const created = await call('POST', '/ai_providers', provider);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body['keys'], [
      { id: 'k1', sealed: true },
      { id: 'k2', secret_env: 'OA_BACKUP_KEY', enabled: false },
    ]);
    const stored = await storedProvider();
    assert.equal(stored.keys?.[0]?.secret, undefined, 'no plaintext in the store');
    assert.equal(h.secrets.open(stored.keys?.[0]?.secret_enc ?? '', PROVIDER_KEY_LABEL), PLAIN);
    assert.deepEqual(stored.keys?.[1], { id: 'k2', secret_env: 'OA_BACKUP_KEY', enabled: false });

    const got = await call('GET', '/ai_providers/oa');
    assert.deepEqual(got.body['keys'], created.body['keys']);
    assert.equal((await call('GET', `/ai_providers/${created.body.id}`)).body.name, 'oa');
    const list = await call('GET', '/ai_providers?tag=llm');
    assert.equal(list.body.total, 1);
    assert.deepEqual(list.body.data[0]?.['keys'], created.body['keys']);
  });

  it('creates, reads, updates and deletes models and prompt APIs', async () => {
    assert.equal((await call('POST', '/ai_models', model)).status, 201);
    assert.equal((await call('POST', '/prompt_apis', prompt)).status, 201);
    assert.deepEqual((await call('GET', '/ai_models/smart')).body['targets'], model.targets);
    const patched = await call('PATCH', '/ai_models/smart', { fallbacks: ['oa/gpt-4o'] });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body['fallbacks'], ['oa/gpt-4o']);
    assert.equal(patched.body['retries'], 2);
    const put = await call('PUT', '/prompt_apis/sentiment', { ...prompt, system: 'Answer in one word.' });
    assert.equal(put.status, 200);
    assert.equal(put.body['system'], 'Answer in one word.');
    assert.equal((await call('POST', '/ai_models', { name: 'spare', targets: model.targets })).status, 201);
    assert.equal((await call('DELETE', '/ai_models/spare')).status, 204);
    assert.equal((await call('GET', '/ai_models/spare')).status, 404);
  });

  it('works the same in another workspace, apart from the default one', async () => {
    assert.equal((await call('POST', '/workspaces', { name: 'team-ai' })).status, 201);
    const p = await call('POST', '/workspaces/team-ai/ai_providers', {
      ...provider,
      keys: [{ id: 'k1', secret: PLAIN2 }],
    });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    assert.equal((await call('POST', '/workspaces/team-ai/ai_models', model)).status, 201);
    assert.equal((await call('POST', '/workspaces/team-ai/prompt_apis', prompt)).status, 201);
    assert.equal((await call('GET', '/workspaces/team-ai/prompt_apis')).body.total, 1);
    assert.equal((await call('DELETE', '/workspaces/team-ai/prompt_apis/sentiment')).status, 204);
    assert.equal((await call('GET', '/prompt_apis/sentiment')).status, 200, 'default workspace untouched');
    const other = await storedProvider('team-ai');
    assert.equal(h.secrets.open(other.keys?.[0]?.secret_enc ?? '', PROVIDER_KEY_LABEL), PLAIN2);
  });

  it('PUT without keys, or with the keys as GET shows them, keeps the stored secrets', async () => {
    const before = (await storedProvider()).keys;
    const { keys: _keys, ...noKeys } = provider;
    const put = await call('PUT', '/ai_providers/oa', { ...noKeys, timeout_ms: 20_000 });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual((await storedProvider()).keys, before);

    const fetched = (await call('GET', '/ai_providers/oa')).body;
    const { id: _id, created_at: _c, updated_at: _u, ...body } = fetched;
    const roundTrip = await call('PUT', '/ai_providers/oa', { ...body, description: 'edited after GET' });
    assert.equal(roundTrip.status, 200, JSON.stringify(roundTrip.body));
    assert.deepEqual((await storedProvider()).keys, before, 'same ciphertext: nothing re-sealed');

    const same = await call('PUT', '/ai_providers/oa', {
      ...body,
      keys: [
        { id: 'k1', secret: PLAIN },
        { id: 'k2', enabled: false },
      ],
    });
    assert.equal(same.status, 200);
    assert.deepEqual((await storedProvider()).keys, before, 'the same plaintext keeps the ciphertext');
  });

  it('PATCH: other fields keep the keys; keys replace the pool; [] empties it', async () => {
    const before = (await storedProvider()).keys;
    assert.equal((await call('PATCH', '/ai_providers/oa', { cooldown_ms: 5000 })).status, 200);
    assert.deepEqual((await storedProvider()).keys, before);

    const rotated = await call('PATCH', '/ai_providers/oa', {
      keys: [
        { id: 'k1', sealed: true },
        { id: 'k3', secret: PLAIN2 },
      ],
    });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.deepEqual(rotated.body['keys'], [
      { id: 'k1', sealed: true },
      { id: 'k3', sealed: true },
    ]);
    const keys = (await storedProvider()).keys ?? [];
    assert.equal(keys[0]?.secret_enc, before?.[0]?.secret_enc);
    assert.equal(h.secrets.open(keys[1]?.secret_enc ?? '', PROVIDER_KEY_LABEL), PLAIN2);

    const emptied = await call('PATCH', '/ai_providers/oa', { keys: [] });
    assert.equal(emptied.status, 200, JSON.stringify(emptied.body));
    assert.deepEqual(emptied.body['keys'], []);
    assert.deepEqual((await storedProvider()).keys, []);
    const restored = await call('PATCH', '/ai_providers/oa', { keys: [{ id: 'k1', secret: PLAIN }] });
    assert.equal(restored.status, 200);
  });

  it('refuses a key without secret it cannot keep, and a secret_enc this node cannot open', async () => {
    const v = await h.store.configVersion();
    const unknownId = await call('PATCH', '/ai_providers/oa', { keys: [{ id: 'k-new' }] });
    assert.equal(unknownId.status, 400);
    assert.equal(unknownId.body.error.details[0]?.path, '/keys/0');

    const foreign = new SecretBox(Buffer.alloc(32, 9)).seal(PLAIN2, PROVIDER_KEY_LABEL);
    const refused = await call('POST', '/ai_providers', {
      name: 'foreign',
      type: 'openai',
      keys: [{ id: 'k1', secret_enc: foreign }],
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'KW_ERR_VALIDATION');
    assert.deepEqual(
      refused.body.error.details.map((d) => d.path),
      ['/keys/0/secret_enc'],
    );
    assert.match(refused.body.error.message, /cannot be opened with this node’s secret/);
    assert.ok(!JSON.stringify(refused.body).includes(foreign), 'the ciphertext is not echoed');

    const both = await call('POST', '/ai_providers', {
      name: 'both',
      type: 'openai',
      keys: [{ id: 'k1', secret: PLAIN, secret_env: 'X' }],
    });
    assert.equal(both.status, 400);
    assert.equal(both.body.error.details[0]?.path, '/keys/0');
    assert.equal(await h.store.configVersion(), v, 'nothing changed');
  });

  it('enables a secret_env key only where this node has the variable', async () => {
    const v = await h.store.configVersion();
    const unset = await call('PATCH', '/ai_providers/oa', {
      keys: [{ id: 'k1' }, { id: 'k2', secret_env: 'KEYWAY_TEST_UNSET_OA_KEY' }],
    });
    assert.equal(unset.status, 400);
    assert.deepEqual(unset.body.error.details, [
      { path: '/keys/1/secret_env', message: 'environment variable KEYWAY_TEST_UNSET_OA_KEY is not set' },
    ]);
    assert.equal(await h.store.configVersion(), v);
  });

  it('refuses references the AI catalog cannot resolve with a field path, changing nothing', async () => {
    const v = await h.store.configVersion();
    const noProvider = await call('POST', '/ai_models', {
      name: 'ghost',
      targets: [{ provider: 'nope', model: 'x' }],
    });
    assert.equal(noProvider.status, 400);
    assert.equal(noProvider.body.error.code, 'KW_ERR_VALIDATION');
    assert.deepEqual(noProvider.body.error.details, [
      { path: '/targets/0/provider', message: 'no AI provider "nope"' },
    ]);

    const badFallback = await call('PATCH', '/ai_models/smart', { fallbacks: ['nowhere'] });
    assert.equal(badFallback.status, 400);
    assert.equal(badFallback.body.error.details[0]?.path, '/fallbacks/0');

    const badPrompt = await call('PUT', '/prompt_apis/sentiment', { ...prompt, model: 'nope/x' });
    assert.equal(badPrompt.status, 400);
    assert.equal(badPrompt.body.error.details[0]?.path, '/model');

    const inUse = await call('DELETE', '/ai_providers/oa');
    assert.equal(inUse.status, 400);
    assert.match(inUse.body.error.message, /ai_models\/smart\/targets\/0\/provider/);
    const renamed = await call('PATCH', '/ai_providers/oa', { name: 'oa2' });
    assert.equal(renamed.status, 400);

    assert.equal(await h.store.configVersion(), v);
    assert.equal((await call('GET', '/ai_providers/oa')).status, 200);
    assert.equal((await call('GET', '/ai_models/ghost')).status, 404);
  });

  it('the data plane opens the sealed key: the catalog has the plaintext, another secret cannot', async () => {
    const state = await h.store.loadAll();
    const ws = state.workspaces.find((w) => w.name === 'default');
    assert.ok(ws);
    const problems: ConfigProblem[] = [];
    const catalog = buildCatalog(ws, { secrets: h.secrets }, problems);
    assert.deepEqual(problems, []);
    assert.deepEqual(catalog.providers.get('oa')?.keys, [{ id: 'k1', secret: PLAIN }]);

    const agents = new AgentCache();
    try {
      const snap = compileSnapshot(state, { agents, secrets: h.secrets });
      await snap.close();
      assert.throws(
        () => compileSnapshot(state, { agents, secrets: new SecretBox(Buffer.alloc(32, 8)) }),
        (err: Error & { details?: Array<{ path: string }> }) =>
          err.details?.some((d) => d.path === '/default/ai_providers/oa/keys/0/secret_enc') === true,
      );
    } finally {
      await agents.close();
    }
  });

  it('lists the AI kinds in /openapi.json, with keys write-only', async () => {
    const res = await call('GET', '/openapi.json');
    const doc = res.body as unknown as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    // Each kind's paths once, under /workspaces/{workspace} (the top-level twins serve `default`).
    for (const kind of ['ai_providers', 'ai_models', 'prompt_apis']) {
      for (const path of [`/workspaces/{workspace}/${kind}`, `/workspaces/{workspace}/${kind}/{idOrKey}`])
        assert.ok(doc.paths[path], `${path} in openapi.json`);
      assert.deepEqual(Object.keys(doc.paths[`/workspaces/{workspace}/${kind}/{idOrKey}`] ?? {}).sort(), [
        'delete',
        'get',
        'patch',
        'put',
      ]);
    }
    const item = JSON.stringify(doc.paths['/workspaces/{workspace}/ai_providers/{idOrKey}']?.['get']);
    assert.match(item, /#\/components\/schemas\/AiProvider"/);
    const shown = JSON.stringify(doc.components.schemas['AiProvider']);
    assert.match(shown, /"sealed"/);
    assert.doesNotMatch(shown, /secret_enc|"secret"/);
    assert.match(JSON.stringify(doc.components.schemas['DeclarativeDocument']), /ai_providers/);
  });

  it('never shows a secret: answers, audit log and database file hold neither plaintext nor ciphertext', async () => {
    const audit = await call('GET', '/audit-log?limit=1000');
    assert.ok(audit.body.total > 10);
    const rows = JSON.stringify(await h.store.listAudit({ limit: 1000 }));
    for (const text of [...seen, rows]) {
      assert.ok(!text.includes(PLAIN) && !text.includes(PLAIN2), 'no plaintext key');
      assert.ok(!text.includes('kwenc1.'), 'no sealed key');
    }
    // The store never saw the plaintext, so no page of the database (or its WAL) can hold it.
    for (const file of readdirSync(h.dataDir)) {
      const bytes = readFileSync(join(h.dataDir, file));
      assert.equal(bytes.includes(PLAIN), false, `${file} holds the plaintext`);
      assert.equal(bytes.includes(PLAIN2), false, `${file} holds the plaintext`);
    }
  });
});
