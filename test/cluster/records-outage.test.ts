// Call records across a PostgreSQL outage, with a real node and a relay this test owns. Records made while
// the store is away (gone, or black-holed) wait in the node's bounded local spool and reach the store when
// it is back: none lost. With the spool off, every record the store could not take is counted in
// `keyway_call_records_dropped_total` and logged. The outage lasts KW_OUTAGE_MS (3 s by default; the 60 s figure
// in docs/observability.md is this test with KW_OUTAGE_MS=60000).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { request } from 'undici';
import type { KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';
import { admin, clusterEnv, proxyStatus, within, type ClusterEnv } from './support/cluster-env.js';

const PG_URL = process.env['KEYWAY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const OUTAGE_MS = Number(process.env['KW_OUTAGE_MS'] ?? 3_000);

async function metric(kw: KeywayProcess, name: string): Promise<number> {
  const res = await request(`${kw.adminUrl}/metrics`, { headers: { authorization: `Bearer ${kw.token}` } });
  const text = await res.body.text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m === null ? NaN : Number(m[1]);
}

describe('call records across a store outage', { timeout: 30_000 + 3 * OUTAGE_MS + 120_000 }, () => {
  let cl: ClusterEnv;
  let echo: TestServer;
  let db: pg.Client;

  /** Records in the store, every day's blocks summed (this test's database holds only its own). */
  async function stored(): Promise<number> {
    const days = await db
      .query<{ day: string }>('select day from call_record_days')
      .catch(() => ({ rows: [] }));
    let n = 0;
    for (const { day } of days.rows) {
      const r = await db.query<{ n: string | null }>(`select sum(count) as n from call_blocks_${day}`);
      n += Number(r.rows[0]?.n ?? 0);
    }
    return n;
  }

  /** Every proxied call this file makes: each one is a record, and the store holds only these. */
  let calls = 0;
  async function call(kw: KeywayProcess, path = '/rec/x'): Promise<number> {
    calls++;
    return proxyStatus(`${kw.proxyUrl}${path}`);
  }

  /** Calls the route for `ms` (at least 50 calls); returns how many were made. */
  async function traffic(kw: KeywayProcess, ms: number): Promise<number> {
    let sent = 0;
    const until = performance.now() + ms;
    while (performance.now() < until || sent < 50) {
      assert.equal(await call(kw), 200);
      sent++;
      if (sent % 20 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    return sent;
  }

  before(async () => {
    echo = await startEcho('records-outage');
    cl = await clusterEnv('recout');
    const direct = new URL(PG_URL);
    direct.pathname = new URL(cl.env.KEYWAY_DATABASE_URL ?? '').pathname;
    db = new pg.Client({ connectionString: direct.toString() });
    await db.connect();
    const setup = await cl.start();
    await admin(setup, 'POST', '/services', { name: 'svc', url: `http://${echo.address}` });
    await admin(setup, 'POST', '/routes', { name: 'rec', service: 'svc', paths: ['/rec', '/nospool'] });
    await setup.stop();
  });
  after(async () => {
    await db?.end();
    await cl?.close();
    await echo?.close();
  });

  for (const outage of ['gone', 'black-holed'] as const) {
    it(`store ${outage} for ${OUTAGE_MS} ms under traffic: every record is stored afterwards, none dropped`, async (t) => {
      const kw = await cl.start({ env: { KEYWAY_RECORD_FLUSH_MS: '100', KEYWAY_STORE_TIMEOUT_MS: '1000' } });
      await traffic(kw, 0);
      const before = await within(20_000, async () => (await stored()) === calls, 100);
      assert.ok(before < 20_000, `before the outage: stored ${await stored()} of ${calls}`);

      if (outage === 'gone') await cl.pgRelay.cut();
      else cl.pgRelay.pause();
      let during: number;
      try {
        during = await traffic(kw, OUTAGE_MS);
        // Everything made during the outage has left the buffer (spooled, or lost) before the store returns.
        const settled = await within(
          30_000,
          async () => (await metric(kw, 'keyway_call_records_buffered')) === 0,
          100,
        );
        assert.ok(settled < 30_000, 'records still buffered');
        t.diagnostic(
          `${during} calls during the outage; spooled: ${await metric(kw, 'keyway_call_records_spooled')}`,
        );
      } finally {
        if (outage === 'gone') await cl.pgRelay.restore();
        else cl.pgRelay.resume();
      }
      await traffic(kw, 0);
      const caughtUp = await within(60_000, async () => (await stored()) >= calls, 200);
      const got = await stored();
      t.diagnostic(`${during} calls during the outage; records lost: ${calls - got}`);
      assert.ok(caughtUp < 60_000, `stored ${got} of ${calls}`);
      assert.equal(got, calls, 'no record twice');
      assert.equal(await metric(kw, 'keyway_call_records_dropped_total'), 0);
      assert.equal(await metric(kw, 'keyway_call_records_spooled'), 0);
      await kw.stop();
    });
  }

  it('a node stopped during the outage keeps its spool; the next start on that data directory writes it', async () => {
    const env = { KEYWAY_RECORD_FLUSH_MS: '100', KEYWAY_STORE_TIMEOUT_MS: '1000' };
    const kw = await cl.start({ env });
    await traffic(kw, 0);
    assert.ok((await within(20_000, async () => (await stored()) === calls, 100)) < 20_000);
    await cl.pgRelay.cut();
    try {
      const during = await traffic(kw, 0);
      const spooled = await within(
        20_000,
        async () => (await metric(kw, 'keyway_call_records_spooled')) === during,
        100,
      );
      assert.ok(spooled < 20_000, `spooled ${await metric(kw, 'keyway_call_records_spooled')} of ${during}`);
      assert.equal(await kw.stop(), 0);
    } finally {
      await cl.pgRelay.restore();
    }
    const next = await cl.start({ env, dataDir: kw.dataDir });
    const caughtUp = await within(30_000, async () => (await stored()) >= calls, 200);
    assert.ok(caughtUp < 30_000, `stored ${await stored()} of ${calls}`);
    assert.equal(await stored(), calls);
    assert.match(next.output(), /records left by an earlier run/);
    await next.stop();
  });

  it('spool off: every record the store could not take is counted as dropped, and logged', async () => {
    const kw = await cl.start({
      env: { KEYWAY_RECORD_FLUSH_MS: '100', KEYWAY_STORE_TIMEOUT_MS: '1000', KEYWAY_RECORD_SPOOL_BYTES: '0' },
    });
    assert.equal(await call(kw, '/nospool/x'), 200);
    const before = await within(20_000, async () => (await stored()) === calls, 100);
    assert.ok(before < 20_000, `before the outage: stored ${await stored()} of ${calls}`);
    await cl.pgRelay.cut();
    try {
      for (let i = 0; i < 40; i++) assert.equal(await call(kw, '/nospool/x'), 200);
      const counted = await within(
        30_000,
        async () => (await metric(kw, 'keyway_call_records_dropped_total')) >= 40,
        100,
      );
      assert.ok(counted < 30_000, `dropped reads ${await metric(kw, 'keyway_call_records_dropped_total')}`);
      assert.equal(await metric(kw, 'keyway_call_records_dropped_total'), 40);
      assert.match(kw.output(), /call records lost/);
    } finally {
      await cl.pgRelay.restore();
    }
    await kw.stop();
  });
});
