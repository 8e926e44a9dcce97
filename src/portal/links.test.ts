// Reset and verification links on a real SQLite store and a pinned clock: a link works once, until its
// expiry and not after, only for its purpose, and never when forged or altered.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { KeywayError } from '../core/errors.js';
import type { Store } from '../store/types.js';
import { sqliteStore } from '../../test/helpers/sqlite-store.js';
import { LinkSigner } from './links.js';

const invalid = (err: unknown): boolean =>
  err instanceof KeywayError && err.code === 'KW_ERR_PORTAL_LINK_INVALID';

describe('portal links', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let now = Date.UTC(2026, 11, 8, 9);
  let signer: LinkSigner;
  let developer: string;

  before(async () => {
    ({ store, cleanup } = await sqliteStore());
    signer = new LinkSigner(randomBytes(32), store.portal, 3_600_000, () => now);
    const dev = await store.portal.createDeveloper(
      {
        id: 'dev1',
        email: 'ivy@example.com',
        name: 'Ivy',
        consumer: 'dev-0123456789',
        password_hash: null,
        email_verified_at: null,
        oidc_issuer: null,
        oidc_subject: null,
      },
      new Date(now).toISOString(),
    );
    developer = dev.id;
  });
  after(() => cleanup());

  it('works once', async () => {
    const token = await signer.issue(developer, 'reset');
    assert.equal((await signer.use(token, 'reset')).developer_id, developer);
    await assert.rejects(signer.use(token, 'reset'), invalid);
  });

  it('expires', async () => {
    const token = await signer.issue(developer, 'reset');
    now += 3_600_000;
    await assert.rejects(signer.use(token, 'reset'), invalid);
  });

  it('is for its purpose only, and refuses what it did not sign', async () => {
    const token = await signer.issue(developer, 'verify');
    await assert.rejects(signer.use(token, 'reset'), invalid);
    const other = new LinkSigner(randomBytes(32), store.portal, 3_600_000, () => now);
    await assert.rejects(other.use(token, 'verify'), invalid, 'another secret signs differently');
    for (const forged of ['', 'x', `${token}x`, token.replace(/\.\d+\./, '.9999999999999.')])
      await assert.rejects(signer.use(forged, 'verify'), invalid);
    assert.equal((await signer.use(token, 'verify')).purpose, 'verify');
  });
});
