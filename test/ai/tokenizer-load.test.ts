/**
 * The tokenizer's tables take a few hundred milliseconds of blocked event loop to load. They are loaded
 * before a snapshot with an AI route starts serving (the node is not ready before that), never on a
 * request, and not at all while no AI route exists. Observed through the module state (one process per
 * test file), never through timings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { tokenizerLoaded } from '../../src/ai/tokens.js';
import { createConfigService } from '../../src/control/config-service.js';
import { sqliteStore } from '../helpers/sqlite-store.js';
import { AgentCache } from '../../src/snapshot/agents.js';
import { SnapshotManager } from '../../src/snapshot/manager.js';
import type { Store } from '../../src/store/types.js';

describe('the tokenizer is loaded with the first AI route, before it serves', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let manager: SnapshotManager;
  const agents = new AgentCache();
  const actor = { name: 'test' };

  before(async () => {
    ({ store, cleanup } = await sqliteStore());
    manager = new SnapshotManager(store, agents, pino({ level: 'silent' }), 60_000);
  });
  after(async () => {
    await manager.stop();
    await agents.close();
    await cleanup();
  });

  it('is not loaded while no AI route exists', async () => {
    const config = createConfigService(store);
    await config.create('services', 'default', { name: 'web', url: 'http://127.0.0.1:9' }, actor);
    await config.create('routes', 'default', { name: 'web', service: 'web', paths: ['/web'] }, actor);
    await manager.start();
    assert.equal(manager.current?.routes.length, 1);
    assert.equal(tokenizerLoaded(), false);
  });

  it('is loaded before a snapshot with an AI route becomes current, and checks alone do not load it', async () => {
    const config = createConfigService(store);
    await config.create('services', 'default', { name: 'ai', url: 'ai://gateway' }, actor);
    await config.create('plugins', 'default', { name: 'ai-proxy', service: 'ai' }, actor);
    // Creating the route runs the whole-config check, which instantiates the ai-proxy plugin.
    await config.create('routes', 'default', { name: 'ai', service: 'ai', paths: ['/ai'] }, actor);
    assert.equal(tokenizerLoaded(), false, 'a config check must not load the tokenizer');

    // Watch every turn of the event loop while the new snapshot is prepared and swapped in.
    let watching = true;
    const seen: boolean[] = [];
    const watch = (): void => {
      if (manager.current?.routes.some((r) => r.service.ai) === true) seen.push(tokenizerLoaded());
      if (watching) setImmediate(watch);
    };
    watch();
    await manager.refresh();
    watching = false;
    assert.ok(
      manager.current?.routes.some((r) => r.service.ai),
      'the AI route is served',
    );
    assert.equal(tokenizerLoaded(), true);
    assert.ok(!seen.includes(false), 'an AI snapshot served before the tokenizer was loaded');
  });
});
