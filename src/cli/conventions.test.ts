/**
 * Command-line conventions a newcomer expects: `--help` per command, `--version`, one clear line per
 * mistake (no parser wording, no `keyway: keyway`, no wall of usage), exit 2 for no command, errors as
 * JSON with `--json`, `apply --dry-run --exit-code` for drift checks, select tags on apply and export, and
 * the number of API keys a deleted app takes with it. In-process against a real admin API on a port.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startAdmin, type AdminHarness } from '../../test/helpers/admin-harness.js';
import { COMMANDS } from './command-specs.js';
import { main } from './main.js';

let h: AdminHarness;
let adminUrl: string;
before(async () => {
  h = await startAdmin();
  adminUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => h.close());

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, {
    out: (t) => void out.push(...t.replace(/\n$/, '').split('\n')),
    err: (t) => void err.push(...t.replace(/\n$/, '').split('\n')),
  });
  return { code, out, err };
}

/** Flags reaching the test node. */
const conn = (): string[] => ['--admin-url', adminUrl, '--token', h.token];

async function file(name: string, text: string): Promise<string> {
  const path = join(h.dataDir, name);
  await writeFile(path, text);
  return path;
}

describe('help and version', () => {
  it('no command: the overview on stderr, exit 2', async () => {
    const r = await run([]);
    assert.equal(r.code, 2);
    assert.deepEqual(r.out, []);
    assert.match(r.err[0] ?? '', /^Usage: keyway <command>/);
    const json = await run(['--json']);
    assert.equal(json.code, 2);
    assert.equal(
      (JSON.parse(json.err.join('\n')) as { error: { code: string } }).error.code,
      'KW_ERR_CLI_USAGE',
    );
  });

  it('--version and version print the version', async () => {
    const flag = await run(['--version']);
    assert.equal(flag.code, 0);
    assert.match(flag.out[0] ?? '', /^keyway \d+\.\d+\.\d+$/);
    assert.equal((await run(['version'])).code, 0);
  });

  it('every command has its own --help, also as "keyway help COMMAND"', async () => {
    for (const c of COMMANDS) {
      const r = await run([c.name, '--help']);
      assert.equal(r.code, 0, `${c.name}: ${r.err.join('\n')}`);
      assert.match(r.out[0] ?? '', new RegExp(`^Usage: keyway ${c.name}`));
      assert.deepEqual((await run(['help', c.name])).out, r.out);
    }
    const apply = await run(['apply', '-h']);
    assert.ok(apply.out.some((l) => l.includes('--select-tag TAG')));
    assert.ok(apply.out.some((l) => l.includes('--exit-code')));
  });
});

describe('mistakes get one clear line', () => {
  const oneLine = (r: Run): string => {
    assert.equal(r.code, 2, r.err.join('\n'));
    assert.equal(r.err.length, 1, `one line, not:\n${r.err.join('\n')}`);
    assert.doesNotMatch(
      r.err[0] ?? '',
      /keyway: keyway|Unknown option|ERR_PARSE_ARGS|To specify a positional/,
    );
    return r.err[0] ?? '';
  };

  it('unknown flag', async () => {
    assert.equal(
      oneLine(await run(['apply', '--bogus'])),
      'keyway apply: unknown flag --bogus (see "keyway apply --help")',
    );
  });

  it('unknown command, with a suggestion when it is a typo', async () => {
    assert.match(
      oneLine(await run(['frobnicate'])),
      /^keyway: unknown command "frobnicate"; the commands are /,
    );
    assert.match(oneLine(await run(['stauts'])), /did you mean "status"\?/);
  });

  it('missing values, missing -f, flags of another command, stray arguments', async () => {
    assert.match(oneLine(await run(['apply', '-f'])), /^keyway apply: -f \(--file\) needs a value \(FILE\)/);
    assert.match(oneLine(await run(['apply'])), /^keyway apply: needs -f FILE/);
    assert.match(oneLine(await run(['status', '-f', 'x'])), /^keyway status: unknown flag -f/);
    assert.match(
      oneLine(await run(['start', '--admin-url', 'http://x'])),
      /--admin-url is not a flag of this command/,
    );
    assert.match(oneLine(await run(['status', 'now'])), /unexpected argument "now"/);
    assert.match(oneLine(await run(['apply', '-f', 'a.yaml', '--dry-run=yes'])), /--dry-run takes no value/);
    assert.match(oneLine(await run(['apply', '-f', 'a', '--exit-code'])), /--exit-code goes with --dry-run/);
    assert.match(oneLine(await run(['keys', ...conn()])), /^keyway keys: needs a subcommand: create, list/);
    assert.match(oneLine(await run(['keys', 'mint', ...conn()])), /unknown subcommand "mint"/);
    assert.match(
      oneLine(await run(['subscriptions', ...conn()])),
      /^keyway subscriptions: needs a subcommand: list, approve, reject, suspend, resume, revoke/,
    );
    assert.match(
      oneLine(await run(['subscriptions', 'approve', ...conn()])),
      /approve needs the subscription's ID or APP@SERVICE/,
    );
    assert.match(
      oneLine(await run(['subscriptions', 'list', '--reason', 'x', ...conn()])),
      /list takes no --reason/,
    );
    assert.match(oneLine(await run(['logs', '--tail', '0', ...conn()])), /--tail must be a whole number/);
  });

  it('--json: errors are JSON objects with a code', async () => {
    const usage = await run(['apply', '--bogus', '--json']);
    assert.equal(usage.code, 2);
    assert.deepEqual(JSON.parse(usage.err.join('\n')), {
      error: { code: 'KW_ERR_CLI_USAGE', message: 'unknown flag --bogus' },
    });
    const down = await run(['status', '--json'], {
      KEYWAY_ADMIN_URL: 'http://127.0.0.1:9',
      KEYWAY_ADMIN_TOKEN: 'x',
    });
    assert.equal(down.code, 1);
    const body = JSON.parse(down.err.join('\n')) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'KW_ERR_ADMIN_UNREACHABLE');
    const denied = await run(['status', '--json', '--admin-url', adminUrl, '--token', 'wrong']);
    assert.equal(
      (JSON.parse(denied.err.join('\n')) as { error: { code: string } }).error.code,
      'KW_ERR_UNAUTHORIZED',
    );
  });

  it('--json: a refused file gives each problem with its line and column', async () => {
    const f = await file(
      'typo.yaml',
      '_format_version: "1"\nservices:\n  - name: s\n    url: http://127.0.0.1:1\n    retriez: 2\n',
    );
    const r = await run(['apply', '-f', f, '--json', ...conn()]);
    assert.equal(r.code, 1);
    const body = JSON.parse(r.err.join('\n')) as {
      error: { code: string; details: Array<{ path: string; line: number; column: number }> };
    };
    assert.equal(body.error.code, 'KW_ERR_VALIDATION');
    assert.deepEqual(
      body.error.details.map((d) => [d.path, d.line, d.column]),
      [['/services/0/retriez', 5, 5]],
    );
  });
});

describe('apply: drift checks and select tags', () => {
  const BASE = `_format_version: "1"
services:
  - name: weather
    url: http://127.0.0.1:9000
    routes:
      - name: weather
        paths: [/weather]
consumers:
  - username: acme
    apps: [{ name: acme-dashboard }]
`;
  const AI = `_format_version: "1"
_info:
  select_tags: [ai]
services:
  - name: ai
    url: http://127.0.0.1:9100
    routes: [{ name: ai, paths: [/ai] }]
`;

  it('--dry-run --exit-code: 2 while the workspace differs, 0 once it matches', async () => {
    const f = await file('base.yaml', BASE);
    const drift = await run(['apply', '-f', f, '--dry-run', '--exit-code', ...conn()]);
    assert.equal(drift.code, 2, drift.err.join('\n'));
    assert.match(drift.out.at(-1) ?? '', /to create/);
    assert.equal((await run(['apply', '-f', f, ...conn()])).code, 0);
    const clean = await run(['apply', '-f', f, '--dry-run', '--exit-code', ...conn()]);
    assert.equal(clean.code, 0);
    assert.match(clean.out.at(-1) ?? '', /^no changes/);
  });

  it('a file with _info.select_tags adds to the workspace instead of replacing it', async () => {
    const f = await file('ai.yaml', AI);
    const r = await run(['apply', '-f', f, ...conn()]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(r.out.slice(0, -1), ['+ service ai', '+ route ai']);
    assert.match(r.out.at(-1) ?? '', /^applied: 2 created, 0 updated, 0 deleted/);
    // The first file's resources are all still there.
    const again = await run(['apply', '-f', await file('base2.yaml', BASE), '--dry-run', ...conn()]);
    assert.deepEqual(again.out, [
      '- route ai',
      '- service ai',
      '0 to create, 0 to update, 2 to delete (dry run: nothing changed)',
    ]);
  });

  it('--select-tag on the command line works like _info.select_tags, and must agree with it', async () => {
    const plain = await file('plain.yaml', AI.replace('_info:\n  select_tags: [ai]\n', ''));
    const r = await run(['apply', '-f', plain, '--select-tag', 'ai', '--dry-run', ...conn()]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.out.at(-1) ?? '', /^no changes/);
    const clash = await run(['apply', '-f', await file('ai2.yaml', AI), '--select-tag', 'ml', ...conn()]);
    assert.equal(clash.code, 2);
    assert.match(clash.err[0] ?? '', /--select-tag ml differs from the file's _info\.select_tags ai/);
  });

  it('export --select-tag writes the part, which applies back unchanged', async () => {
    const r = await run(['export', '--select-tag', 'ai', ...conn()]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const doc = parse(r.out.join('\n')) as Record<string, unknown>;
    assert.deepEqual(doc['_info'], { select_tags: ['ai'] });
    assert.deepEqual(Object.keys(doc).sort(), ['_format_version', '_info', 'services', 'workspace']);
    const back = await run([
      'apply',
      '-f',
      await file('part.yaml', r.out.join('\n')),
      '--dry-run',
      ...conn(),
    ]);
    assert.match(back.out.at(-1) ?? '', /^no changes/);
  });

  it('deleting an app says how many API keys go with it', async () => {
    await h.keys.create('default', 'acme-dashboard', {}, 'test');
    await h.keys.create('default', 'acme-dashboard', {}, 'test');
    const f = await file('noapp.yaml', BASE.replace('    apps: [{ name: acme-dashboard }]\n', ''));
    const r = await run(['apply', '-f', f, '--select-tag', 'none', '--dry-run', ...conn()]);
    assert.equal(r.code, 1, 'the untagged consumer is not this selection’s to take over');
    const whole = await run(['apply', '-f', f, '--dry-run', ...conn()]);
    assert.ok(whole.out.includes('- app acme-dashboard (and its 2 API keys)'), whole.out.join('\n'));
    assert.match(whole.out.at(-1) ?? '', /3 to delete \(with 2 API keys\)/);
  });
});
