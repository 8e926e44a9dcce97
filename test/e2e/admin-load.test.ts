/**
 * Heavy admin work must not stall the data plane (issue "Hold against hostile clients…", item 5). A real
 * Keyway process serves a steady stream of sequential probe requests while (a) a 3,000-service `POST /config`
 * is applied and reaches the data plane, and (b) 50 concurrent single-resource writes land on that large
 * config. The probes must all succeed, keep being answered throughout, and none may wait for a large part of
 * the phase: a control plane that runs as one long task on the proxy's event loop makes one probe wait for
 * nearly the whole phase. (The bench, bench/admin-load.mjs, measures the p99 figures.)
 *
 * The bound is relative to the phase's own length, so a slow or loaded machine stretches both alike.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, type TestServer } from '../helpers/upstream.js';

const SERVICES = 3000;
const WRITES = 50;

interface Probe {
  answered: number;
  failed: string[];
  /** [sent, answered] in performance.now() milliseconds, per probe. */
  spans: Array<[number, number]>;
}

describe('admin work does not stall the proxy', () => {
  let kw: KeywayProcess;
  let echo: TestServer;
  let stopProbes = false;
  const probe: Probe = { answered: 0, failed: [], spans: [] };
  let probing: Promise<void>;

  const admin = async (method: string, path: string, body?: unknown): Promise<string> => {
    const res = await request(`${kw.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${kw.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 300_000,
      bodyTimeout: 300_000,
    });
    const text = await res.body.text();
    assert.ok(res.statusCode < 300, `${method} ${path} → ${res.statusCode} ${text.slice(0, 300)}`);
    return text;
  };

  const served = async (path: string): Promise<void> => {
    for (;;) {
      const r = await request(new URL(path, kw.proxyUrl));
      await r.body.dump();
      if (r.statusCode === 200) return;
      await sleep(20);
    }
  };

  /** The longest wait of a probe that overlapped [from, to], and how many probes were answered within it. */
  const during = (from: number, to: number): { longest: number; answered: number } => {
    let longest = 0;
    let answered = 0;
    for (const [sent, got] of probe.spans) {
      if (got < from || sent > to) continue;
      longest = Math.max(longest, Math.min(got, to) - Math.max(sent, from));
      if (got <= to) answered++;
    }
    return { longest, answered };
  };

  before(async () => {
    echo = await startEcho();
    kw = await startKeyway();
    await admin('POST', '/services', { name: 'probe', url: `http://${echo.address}` });
    await admin('POST', '/routes', { name: 'probe', service: 'probe', paths: ['/probe'] });
    await served('/probe');
    probing = (async () => {
      while (!stopProbes) {
        const sent = performance.now();
        try {
          const r = await request(new URL('/probe', kw.proxyUrl), { headersTimeout: 120_000 });
          await r.body.dump();
          if (r.statusCode !== 200) probe.failed.push(`status ${r.statusCode}`);
          else probe.answered++;
        } catch (err) {
          probe.failed.push((err as Error).message);
        }
        probe.spans.push([sent, performance.now()]);
      }
    })();
  });

  after(async () => {
    stopProbes = true;
    await probing;
    await kw?.stop();
    await echo?.close();
  });

  it(`keeps answering while a ${SERVICES}-service apply is validated, written and compiled`, async () => {
    const services: unknown[] = [
      { name: 'probe', url: `http://${echo.address}`, routes: [{ name: 'probe', paths: ['/probe'] }] },
    ];
    for (let i = 0; i < SERVICES; i++)
      services.push({
        name: `svc-${i}`,
        url: `http://${echo.address}/v${i}`,
        description: `service ${i} `.repeat(20),
        routes: [{ name: `route-${i}`, paths: [`/api/${i}/items`], methods: ['GET', 'POST'] }],
      });
    const from = performance.now();
    await admin('POST', '/config', { _format_version: '1', services });
    await served(`/api/${SERVICES - 1}/items`);
    const to = performance.now();
    const { longest, answered } = during(from, to);
    assert.deepEqual(probe.failed, []);
    assert.ok(
      answered >= 10,
      `only ${answered} probes answered during the apply (${Math.round(to - from)} ms)`,
    );
    assert.ok(
      longest <= (to - from) / 4,
      `a probe waited ${Math.round(longest)} ms of the apply's ${Math.round(to - from)} ms`,
    );
  });

  it(`keeps answering while ${WRITES} concurrent writes land on the large config`, async () => {
    const from = performance.now();
    await Promise.all(
      Array.from({ length: WRITES }, (_, i) =>
        admin('POST', '/services', { name: `written-${i}`, url: `http://${echo.address}` }),
      ),
    );
    await admin('POST', '/routes', { name: 'last', service: 'written-0', paths: ['/last'] });
    await served('/last');
    const to = performance.now();
    const { longest, answered } = during(from, to);
    assert.deepEqual(probe.failed, []);
    assert.ok(
      answered >= 10,
      `only ${answered} probes answered during the writes (${Math.round(to - from)} ms)`,
    );
    assert.ok(
      longest <= (to - from) / 4,
      `a probe waited ${Math.round(longest)} ms of the writes' ${Math.round(to - from)} ms`,
    );
  });

  it('serves a write when its answer arrives, even when the reload is sliced over many turns', async () => {
    // Read your writes: a client that creates a route and calls it at once must not be told 404, nor find
    // a deleted route still answering. On 3,000 services every reload runs in slices.
    for (let i = 0; i < 3; i++) {
      await admin('POST', '/routes', { name: `ryw-${i}`, service: 'probe', paths: [`/ryw/${i}`] });
      const r = await request(new URL(`/ryw/${i}`, kw.proxyUrl));
      await r.body.dump();
      assert.equal(r.statusCode, 200, `route ryw-${i} not served when its 201 arrived`);
      await admin('DELETE', `/routes/ryw-${i}`);
      const gone = await request(new URL(`/ryw/${i}`, kw.proxyUrl));
      await gone.body.dump();
      assert.equal(gone.statusCode, 404, `route ryw-${i} still served after its delete answered`);
    }
  });
});
