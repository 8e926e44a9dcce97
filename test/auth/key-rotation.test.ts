/**
 * Rotation with a grace period, end to end on a real SQLite store and the real data plane, on an injected
 * clock: the key service sets `grace_until` from it and the resolver checks it, so the test moves time
 * to the deadline instead of sleeping through it (and asserts nothing about how long anything took).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { KeyHasher } from '../../src/keys/key-secret.js';
import { KeyService } from '../../src/keys/key-service.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';

const HOUR_S = 3600;

describe('key rotation with a grace period (injected clock)', () => {
  let dir: string;
  let store: Store;
  let echo: TestServer;
  let gw: TestGateway;
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const now = (): number => clock;
  let resolver: ApiKeyResolver;
  let keys: KeyService;

  const status = async (key: string): Promise<number> => {
    const res = await request(`${gw.url}/weather/today`, { headers: { apikey: key } });
    await res.body.dump();
    return res.statusCode;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyway-rotation-'));
    store = await openStore({ dataDir: dir });
    echo = await startEcho('weather');
    await store.transaction(async (tx) => {
      await tx.create('services', 'default', { name: 'weather', url: `http://${echo.address}` });
      await tx.create('routes', 'default', { name: 'weather', service: 'weather', paths: ['/weather'] });
      await tx.create('plugins', 'default', { name: 'key-auth', route: 'weather', config: {} });
      await tx.create('consumers', 'default', { username: 'acme' });
      await tx.create('apps', 'default', { name: 'acme-dashboard', consumer: 'acme' });
    });
    resolver = new ApiKeyResolver(store, new KeyHasher(Buffer.alloc(32, 5)), { pollMs: 0, now });
    await resolver.start();
    keys = new KeyService(store, resolver, now);
    gw = await startGateway(await store.loadAll(), { services: { apiKeys: resolver } });
  });
  after(async () => {
    await gw.close();
    await echo.close();
    await resolver.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the old key working until grace_until, to the millisecond, then refuses it', async () => {
    const first = await keys.create('default', 'acme-dashboard', {}, 'test');
    assert.equal(await status(first.key), 200);
    const rotated = await keys.rotate('default', first.record.id, { grace_period_s: HOUR_S }, 'test');
    assert.equal(rotated.previous.grace_until, new Date(clock + HOUR_S * 1000).toISOString());
    assert.equal(rotated.previous.state, 'grace');
    assert.equal(await status(first.key), 200, 'old key during the grace period');
    assert.equal(await status(rotated.key), 200, 'new key at once');

    clock += HOUR_S * 1000 - 1;
    assert.equal(await status(first.key), 200, 'a millisecond before the deadline');
    clock += 1;
    assert.equal(await status(first.key), 401, 'at the deadline');
    assert.equal(await status(rotated.key), 200);
    assert.equal((await keys.get('default', first.record.id)).state, 'expired');
  });

  it('never extends an earlier deadline by rotating again, and grace 0 stops the old key at once', async () => {
    const first = await keys.create('default', 'acme-dashboard', {}, 'test');
    await keys.rotate('default', first.record.id, { grace_period_s: 60 }, 'test');
    const again = await keys.rotate('default', first.record.id, { grace_period_s: HOUR_S }, 'test');
    assert.equal(again.previous.grace_until, new Date(clock + 60_000).toISOString());
    clock += 60_000;
    assert.equal(await status(first.key), 401);
    const other = await keys.create('default', 'acme-dashboard', {}, 'test');
    assert.equal(await status(other.key), 200);
    const stopped = await keys.rotate('default', other.record.id, { grace_period_s: 0 }, 'test');
    assert.equal(await status(other.key), 401);
    assert.equal(await status(stopped.key), 200);
  });
});
