// Admin authentication while PostgreSQL is away (a relay this test owns, a clock it moves): a token this
// node verified within the last hour keeps working after its 10 s cache entry expired, so `/status` and
// `/metrics` still answer; a token it never verified gets 503 KW_ERR_STORE_UNAVAILABLE (it may be valid:
// not 401); past the hour the remembered token is asked about again like any other.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createAuthenticator } from '../../src/admin/auth.js';
import { ensureAdminToken } from '../../src/admin/admin-token.js';
import { KeywayError } from '../../src/core/errors.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { Relay } from './support/relay.js';

const PG_URL = process.env['KEYWAY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

function isCode(code: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof KeywayError, String(err));
    assert.equal(err.code, code);
    return true;
  };
}

describe('admin authentication with the store away', { timeout: 60_000 }, () => {
  const schema = `kw_auth_outage_${randomBytes(4).toString('hex')}`;
  let relay: Relay;
  let store: Store;
  let token: string;
  let now = 1_000_000;
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });

  before(async () => {
    const url = new URL(PG_URL);
    relay = new Relay(url.hostname, Number(url.port || 5432));
    url.port = String(await relay.start());
    store = await openStore({ databaseUrl: url.toString(), dataDir: tmpdir(), schema, timeoutMs: 1_000 });
    const minted = await ensureAdminToken(
      store,
      (await import('node:fs')).mkdtempSync(`${tmpdir()}/kw-auth-`),
    );
    token = minted.token ?? '';
  });
  after(async () => {
    await relay.close();
    await store.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  });

  for (const outage of ['cut', 'pause'] as const) {
    it(`store ${outage === 'cut' ? 'gone' : 'black-holed'}: a recently verified token still works, an unknown one gets 503`, async () => {
      const authenticator = createAuthenticator(store, () => now);
      assert.equal((await authenticator.authenticate(auth(token))).name, 'admin');
      if (outage === 'cut') await relay.cut();
      else relay.pause();
      try {
        now += 11_000; // past the 10 s cache entry
        assert.equal((await authenticator.authenticate(auth(token))).name, 'admin');
        await assert.rejects(
          authenticator.authenticate(auth('kwadm_never-seen-by-this-node')),
          isCode('KW_ERR_STORE_UNAVAILABLE'),
        );
        now += 3_600_000; // past the hour a verified token is remembered for
        await assert.rejects(authenticator.authenticate(auth(token)), isCode('KW_ERR_STORE_UNAVAILABLE'));
      } finally {
        if (outage === 'cut') await relay.restore();
        else relay.resume();
      }
      // Back: verified against the store again, and a wrong token is 401 as ever.
      assert.equal((await authenticator.authenticate(auth(token))).name, 'admin');
      await assert.rejects(authenticator.authenticate(auth('kwadm_wrong')), isCode('KW_ERR_UNAUTHORIZED'));
    });
  }
});
