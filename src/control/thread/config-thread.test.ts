import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KeywayError } from '../../core/errors.js';
import { JsonText, RawJson } from '../../core/json-text.js';
import { ApiKeyResolver } from '../../keys/api-key-resolver.js';
import { generateKey } from '../../keys/key-format.js';
import { KeyHasher } from '../../keys/key-secret.js';
import { KeyService } from '../../keys/key-service.js';
import { SecretBox } from '../../keys/secret-box.js';
import { openStore } from '../../store/open-store.js';
import type { Store } from '../../store/types.js';
import { createConfigService } from '../config-service.js';
import type { ConfigService } from '../types.js';
import { ConfigThread, LARGE_CONFIG_RESOURCES, type IdleTimers } from './config-thread.js';

const admin = { name: 'alice' };
const SECRET = Buffer.alloc(32, 7);

/** Idle timers that fire only when the test says so. */
function manualTimers(): IdleTimers & { fire(): void; armed: number } {
  let fn: (() => void) | undefined;
  const timers = {
    armed: 0,
    set(f: () => void) {
      fn = f;
      timers.armed++;
      return f;
    },
    clear(handle: unknown) {
      if (handle === fn) fn = undefined;
    },
    fire() {
      const f = fn;
      fn = undefined;
      f?.();
    },
  };
  return timers;
}

function raw(value: unknown): RawJson {
  return new RawJson(Buffer.from(JSON.stringify(value)));
}

/** What an error answer is made of. */
function answerOf(err: unknown): unknown {
  assert.ok(err instanceof KeywayError, `expected a KeywayError, got ${String(err)}`);
  return { body: err.toBody('req-1'), status: err.status, kind: err.kind, headers: err.headers };
}

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('config thread', () => {
  let dir: string;
  let store: Store;
  let resolver: ApiKeyResolver;
  let inline: ConfigService;
  let size = 0;
  const versions: number[] = [];
  const forgotten: string[] = [];
  let timers: ReturnType<typeof manualTimers>;
  let thread: ConfigThread;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyway-config-thread-'));
    store = await openStore({ dataDir: dir });
    resolver = new ApiKeyResolver(store, new KeyHasher(SECRET), { pollMs: 0 });
    const keys = new KeyService(store, resolver);
    inline = createConfigService(store, {
      keys,
      secrets: new SecretBox(SECRET),
      onChange: (v) => void versions.push(v),
    });
    timers = manualTimers();
    thread = new ConfigThread({
      inline,
      settings: { store: { dataDir: dir }, secret: new Uint8Array(SECRET) },
      size: () => size,
      onChange: (v) => void versions.push(v),
      onForget: (hashes) => forgotten.push(...hashes),
      timers,
    });
  });
  after(async () => {
    await thread.close();
    await resolver.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a small configuration inline, without starting the thread', async () => {
    await thread.create('services', 'default', { name: 'small', url: 'http://small.local' }, admin);
    await thread.list('services', 'default', {});
    assert.equal(thread.starts, 0);
    assert.equal(thread.running, false);
  });

  it('parses a raw body on the thread and hears the version it committed', async () => {
    const before = versions.length;
    const made = await thread.create(
      'services',
      'default',
      raw({ name: 'raw', url: 'http://raw.local' }),
      admin,
    );
    assert.equal(thread.starts, 1);
    assert.equal(made.name, 'raw');
    assert.deepEqual(made, await inline.get('services', 'default', 'raw'));
    assert.equal(versions.length, before + 1);
    assert.equal(versions.at(-1), await store.configVersion());
  });

  it('rebuilds errors as the same KeywayError the inline service throws', async () => {
    const cases: Array<(svc: ConfigService) => Promise<unknown>> = [
      (svc) => svc.create('services', 'default', { name: 'bad', url: 42, extra: true }, admin),
      (svc) => svc.create('routes', 'default', { name: 'r', service: 'nowhere', paths: ['/r'] }, admin),
      (svc) => svc.get('services', 'default', 'missing'),
      (svc) => svc.delete('services', 'nowhere-ws', 'x', admin),
      (svc) =>
        svc.apply(
          { _format_version: '1', services: [{ name: 'x', url: 'ftp://x' }] },
          {
            dryRun: true,
            actor: admin,
          },
        ),
    ];
    size = LARGE_CONFIG_RESOURCES;
    try {
      for (const make of cases) {
        const viaThread = await errorOf(make(thread));
        const viaInline = await errorOf(make(inline));
        assert.deepEqual(answerOf(viaThread), answerOf(viaInline));
      }
      // A large raw body's refusals cross as well: too deep, and not JSON.
      const deep = new RawJson(Buffer.from('['.repeat(100) + ']'.repeat(100)));
      const refused = await errorOf(thread.create('services', 'default', deep, admin));
      assert.equal((refused as KeywayError).code, 'KW_ERR_BODY_TOO_DEEP');
      const broken = await errorOf(
        thread.apply(new RawJson(Buffer.from('{"a":')), { dryRun: true, actor: admin }),
      );
      assert.equal((broken as KeywayError).code, 'KW_ERR_VALIDATION');
    } finally {
      size = 0;
    }
  });

  it('answers apply and export as JSON text when they ran on the thread', async () => {
    const doc = {
      _format_version: '1',
      services: [{ name: 'applied', url: 'http://applied.local', routes: [{ name: 'a', paths: ['/a'] }] }],
    };
    const answer = await thread.answers.apply(doc, { dryRun: true, actor: admin });
    assert.ok(answer instanceof JsonText);
    const inlineAnswer = await inline.apply(doc, { dryRun: true, actor: admin });
    assert.deepEqual(JSON.parse(answer.text), JSON.parse(JSON.stringify(inlineAnswer)));
    const exported = await thread.answers.export('default');
    assert.ok(exported instanceof JsonText);
    assert.deepEqual(JSON.parse(exported.text), await inline.export('default'));
  });

  it('tells the node which imported API keys to forget', async () => {
    const key = generateKey('live');
    const doc = {
      _format_version: '1',
      // Its own workspace: an apply makes the workspace look exactly like the document.
      workspace: 'imports',
      consumers: [{ username: 'acme', apps: [{ name: 'acme-app', keys: [{ key }] }] }],
    };
    const result = await thread.apply(doc, { dryRun: false, actor: admin });
    assert.equal(result.keys?.imported, 1);
    assert.deepEqual(forgotten, [new KeyHasher(SECRET).hash(key)]);
  });

  it('ends after being idle and starts again on the next large write', async () => {
    assert.equal(thread.running, true);
    const starts = thread.starts;
    timers.fire();
    assert.equal(thread.running, false);
    // Back to a small configuration: inline again.
    await thread.delete('services', 'default', 'small', admin);
    assert.equal(thread.starts, starts);
    size = LARGE_CONFIG_RESOURCES;
    await thread.delete('services', 'default', 'raw', admin);
    size = 0;
    assert.equal(thread.starts, starts + 1);
    assert.equal(thread.running, true);
    // While it runs, every write goes to it, whatever the size.
    await thread.create('services', 'default', { name: 'queued', url: 'http://q.local' }, admin);
    assert.equal(thread.starts, starts + 1);
  });
});
