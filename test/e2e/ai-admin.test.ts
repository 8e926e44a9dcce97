/**
 * An operator's AI setup as a file, through the real CLI against a real `keyway start`: providers, model
 * aliases and a prompt API applied from YAML with a provider key in clear; the key is sealed at rest,
 * never shown by the admin API, the export or the node's output, re-applying is a no-op, and the data
 * plane calls the (fake) provider with the key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';
import { runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';

const PLAIN = 'sk-e2e-PLAINTEXT-5f4dcc3b5aa765d61d83';

/** A chat.completion object as OpenAI answers it (platform.openai.com/docs/api-reference/chat/object). */
const COMPLETION = {
  id: 'chatcmpl-e2e',
  object: 'chat.completion',
  created: 1_726_000_000,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'positive', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
};

function aiYaml(fakeUrl: string, secret: string): string {
  return [
    '_format_version: "1"',
    'services:',
    '  - name: ai',
    '    url: ai://gateway',
    '    routes:',
    '      - name: ai',
    '        paths: [/ai]',
    '        strip_path: true',
    '    plugins:',
    '      - name: ai-proxy',
    'ai_providers:',
    '  - name: oa',
    '    type: openai',
    `    base_url: ${fakeUrl}/v1`,
    '    keys:',
    '      - id: main',
    `        secret: ${secret}`,
    '      - id: spare',
    '        secret_env: KEYWAY_E2E_UNSET_SPARE_KEY',
    '        enabled: false',
    'ai_models:',
    '  - name: smart',
    '    targets:',
    '      - { provider: oa, model: gpt-4o-mini }',
    'prompt_apis:',
    '  - name: sentiment',
    '    model: smart',
    '    template: "Sentiment of: {{text}}"',
    '    variables:',
    '      text: { required: true }',
    '',
  ].join('\n');
}

describe('AI resources from a YAML file through the CLI', () => {
  let fake: FakeLlm;
  let kw: KeywayProcess;
  let dir: string;
  let env: Record<string, string>;
  /** Everything the CLI and the admin API printed or answered, searched for the key at the end. */
  const shown: string[] = [];

  before(async () => {
    fake = await startFakeLlm(() => ({ json: COMPLETION }));
    kw = await startKeyway({ env: { KEYWAY_SECRET: 'e2e-server-secret-0123456789abcdef' } });
    dir = mkdtempSync(join(tmpdir(), 'keyway-ai-yaml-'));
    env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_DATA_DIR: kw.dataDir };
  });
  after(async () => {
    // Whatever failed in `before`, close what did start: an open server would keep the test process alive.
    try {
      await kw.stop();
    } finally {
      await fake.close();
    }
  });

  async function cli(args: string[]) {
    const res = await runCli(args, env);
    shown.push(res.stdout, res.stderr);
    return res;
  }

  async function admin(path: string): Promise<unknown> {
    const res = await request(`${kw.adminUrl}${path}`, { headers: { authorization: `Bearer ${kw.token}` } });
    const text = await res.body.text();
    shown.push(text);
    assert.equal(res.statusCode, 200, text);
    return JSON.parse(text) as unknown;
  }

  it('dry-runs, applies, and re-applies the same file with no change', async () => {
    const file = join(dir, 'ai.yaml');
    writeFileSync(file, aiYaml(fake.url, PLAIN));
    const dry = await cli(['apply', '-f', file, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /\+ AI provider oa/);
    assert.match(dry.stdout, /\+ AI model smart/);
    assert.match(dry.stdout, /\+ prompt API sentiment/);

    const applied = await cli(['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /applied: 6 created/);

    const again = await cli(['apply', '-f', file]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /no changes/);
  });

  it('shows the key as sealed only', async () => {
    const provider = (await admin('/ai_providers/oa')) as { keys: unknown };
    assert.deepEqual(provider.keys, [
      { id: 'main', sealed: true },
      { id: 'spare', secret_env: 'KEYWAY_E2E_UNSET_SPARE_KEY', enabled: false },
    ]);
  });

  it('serves a chat completion with the key it sealed', async () => {
    const res = await request(`${kw.proxyUrl}/ai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'I love it' }] }),
    });
    const text = await res.body.text();
    assert.equal(res.statusCode, 200, text);
    assert.equal((JSON.parse(text) as typeof COMPLETION).choices[0]?.message.content, 'positive');
    assert.equal(fake.requests.at(-1)?.headers.authorization, `Bearer ${PLAIN}`);
    assert.ok(!text.includes(PLAIN));
  });

  it('exports secret_enc that applies back unchanged, and refuses one sealed elsewhere', async () => {
    const out = join(dir, 'export.yaml');
    const exported = await cli(['export', '-o', out]);
    assert.equal(exported.code, 0, exported.stderr);
    const yaml = readFileSync(out, 'utf8');
    shown.push(yaml);
    assert.match(yaml, /secret_enc: kwenc1\./);
    const back = await cli(['apply', '-f', out]);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /no changes/);

    // A ciphertext from a node with another KEYWAY_SECRET: refused at its line, nothing changed.
    const foreign = join(dir, 'foreign.yaml');
    writeFileSync(
      foreign,
      yaml.replace(/secret_enc: kwenc1\.[A-Za-z0-9_-]+\./, 'secret_enc: kwenc1.AAAAAAAAAAAAAAAA.'),
    );
    const refused = await cli(['apply', '-f', foreign]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /foreign\.yaml:\d+:\d+: \/ai_providers\/0\/keys\/0\/secret_enc: cannot be opened/,
    );
    assert.match(refused.stderr, /not applied, nothing changed/);
  });

  it('never shows the key: CLI output, admin answers, audit log, node log, data directory', async () => {
    shown.push(JSON.stringify(await admin('/audit-log?limit=1000')));
    shown.push(JSON.stringify(await admin('/ai_providers')));
    shown.push(kw.output());
    for (const text of shown) assert.ok(!text.includes(PLAIN), 'plaintext key shown');
    for (const file of readdirSync(kw.dataDir)) {
      const bytes = readFileSync(join(kw.dataDir, file));
      assert.equal(bytes.includes(PLAIN), false, `${file} holds the plaintext key`);
    }
  });
});
