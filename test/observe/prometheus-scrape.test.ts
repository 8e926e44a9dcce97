/**
 * `/metrics` as a Prometheus user meets it: a real `keyway start` process, configured with the CLI (two
 * workspaces that each have a service `billing` with a route `invoices`, key-auth, a plan's rate limit, an
 * `ai://` service on the mock provider, a dead upstream and a slow one), real traffic through the proxy, then
 * a scrape parsed with parse-prometheus-text-format and held to Prometheus' naming conventions: every counter
 * ends in `_total`, every histogram is in `_seconds` or `_bytes`, HELP and TYPE for every family, no duplicate
 * series, valid label names, and a `workspace` label wherever a service or route label is. Then the values:
 * the two workspaces apart, durations in seconds, the consumer label folded past its cap, AI tokens and cost,
 * in-flight and connection gauges during a call held open upstream, target health. Last, the Grafana dashboard
 * in deploy/grafana: every PromQL expression in it names only families this scrape returned, with labels
 * they have.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ROOT, runCli, startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import {
  conventionProblems,
  familyOf,
  labelNames,
  parseScrape,
  selectorsOf,
  type PromFamily,
  type Scrape,
} from '../helpers/prometheus.js';
import { deadPort, startEcho, startServer, type TestServer } from '../helpers/upstream.js';

const DEFAULT_WS = (echo: string, slow: string, dead: number): string => `_format_version: "1"
plans:
  - name: tiny
    rate_limits: [{ limit: 2, window: 1h }]
ai_providers:
  - name: mock
    type: mock
    prices: [{ model: mock-echo, input: 1, output: 2 }]
ai_models:
  - name: fast
    targets: [{ provider: mock, model: mock-echo }]
services:
  - name: billing
    url: http://${echo}
    routes:
      - name: invoices
        paths: [/invoices]
        plugins:
          - name: key-auth
          - name: rate-limit
      - name: probe
        paths: [/probe]
  - name: slow
    url: http://${slow}
    routes:
      - name: slow
        paths: [/slow]
  - name: dead
    url: http://127.0.0.1:${dead}
    routes:
      - name: dead
        paths: [/dead]
  - name: ai
    url: ai://gateway
    plugins:
      - name: key-auth
      - name: ai-proxy
    routes:
      - name: ai
        paths: [/ai]
consumers:
  - username: alpha
    plan: tiny
    apps: [{ name: alpha-app }]
  - username: beta
    apps: [{ name: beta-app }]
  - username: gamma
    apps: [{ name: gamma-app }]
`;

const TEAM_B = (echo: string): string => `_format_version: "1"
workspace: team-b
services:
  - name: billing
    url: http://${echo}
    routes:
      - name: invoices
        paths: [/team-b/invoices]
      - name: probe
        paths: [/team-b/probe]
`;

function series(f: PromFamily | undefined, labels: Record<string, string>): number[] {
  assert.ok(f !== undefined);
  return f.metrics
    .filter((m) => Object.entries(labels).every(([k, v]) => (m.labels ?? {})[k] === v))
    .map((m) => Number(m.value ?? m.count));
}

function one(f: PromFamily | undefined, labels: Record<string, string>): number {
  const values = series(f, labels);
  assert.equal(values.length, 1, `one series of ${f?.name ?? '?'} with ${JSON.stringify(labels)}`);
  return values[0] ?? NaN;
}

describe('/metrics of a real node after real traffic', { timeout: 120_000 }, () => {
  let kw: KeywayProcess;
  let echo: TestServer;
  let slow: TestServer;
  const held: ServerResponse[] = [];
  const keys: Record<string, string> = {};
  let scrapeText = '';
  let scrape: Scrape;

  const metrics = async (): Promise<string> => {
    const res = await request(`${kw.adminUrl}/metrics`, { headers: { authorization: `Bearer ${kw.token}` } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return res.body.text();
  };
  const call = async (
    path: string,
    init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
  ): Promise<number> => {
    const res = await request(`${kw.proxyUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: init.headers ?? {},
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    await res.body.dump();
    return res.statusCode;
  };
  /** The node loads a file's changes on its next poll: wait until `path` answers `status`. */
  const until = async (path: string, status: number): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      if ((await call(path)) === status) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`${path} never answered ${status}`);
  };

  before(async () => {
    echo = await startEcho('billing');
    slow = await startServer((_req, res) => {
      held.push(res);
    });
    kw = await startKeyway({
      env: { KEYWAY_METRICS_CONSUMER_LABEL: 'on', KEYWAY_METRICS_CONSUMER_LABEL_LIMIT: '2' },
    });
    const env = { KEYWAY_ADMIN_URL: kw.adminUrl, KEYWAY_DATA_DIR: kw.dataDir };
    const dir = mkdtempSync(join(tmpdir(), 'keyway-metrics-'));
    const files: Array<[string, string]> = [
      ['default.yaml', DEFAULT_WS(echo.address, slow.address, await deadPort())],
      ['team-b.yaml', TEAM_B(echo.address)],
    ];
    for (const [name, text] of files) {
      writeFileSync(join(dir, name), text);
      const applied = await runCli(['apply', '-f', join(dir, name)], env);
      assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    }
    for (const app of ['alpha-app', 'beta-app', 'gamma-app']) {
      const res = await request(`${kw.adminUrl}/apps/${app}/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${kw.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      const body = (await res.body.json()) as { key?: string };
      assert.equal(res.statusCode, 201, JSON.stringify(body));
      keys[app] = body.key ?? '';
    }
    // Probes on routes of their own, so that waiting adds nothing to the routes the test counts.
    await until('/team-b/probe', 200);
    await until('/probe', 200);

    // Traffic: alpha thrice (the plan's third call is refused), beta once, gamma once (past the label cap
    // of 2: folded into "other"), a call without a key, team-b's route twice, a dead upstream, no route.
    for (let i = 0; i < 3; i++) await call('/invoices/1', { headers: { apikey: keys['alpha-app'] ?? '' } });
    assert.equal(await call('/invoices/2', { headers: { apikey: keys['beta-app'] ?? '' } }), 200);
    assert.equal(await call('/invoices/3', { headers: { apikey: keys['gamma-app'] ?? '' } }), 200);
    assert.equal(await call('/invoices/4'), 401);
    assert.equal(await call('/team-b/invoices/1'), 200);
    assert.equal(await call('/team-b/invoices/2'), 200);
    assert.equal(await call('/dead'), 502);
    assert.equal(await call('/nowhere'), 404);
    const ai = await request(`${kw.proxyUrl}/ai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys['beta-app'] ?? ''}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'fast',
        messages: [{ role: 'user', content: 'Count my tokens please' }],
      }),
    });
    assert.equal(ai.statusCode, 200, await ai.body.text());
  });
  after(async () => {
    for (const res of held) res.end();
    await kw.stop();
    await echo.close();
    await slow.close();
  });

  it('reports a call held open upstream in the in-flight and connection gauges while it lasts', async () => {
    const pending = request(`${kw.proxyUrl}/slow/wait`);
    for (let i = 0; i < 200 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(held.length, 1, 'the slow upstream holds the call');
    const during = parseScrape(await metrics());
    const labels = { workspace: 'default', service: 'slow', target: slow.address };
    assert.equal(one(during.byName.get('keyway_upstream_requests_in_flight'), labels), 1);
    assert.equal(
      one(during.byName.get('keyway_upstream_connections'), { target: slow.address, state: 'active' }),
      1,
    );
    assert.ok(one(during.byName.get('keyway_proxy_requests_in_flight'), {}) >= 1);
    assert.ok(one(during.byName.get('keyway_proxy_connections'), {}) >= 1);
    held[0]?.end('done');
    const res = await pending;
    await res.body.dump();
    assert.equal(res.statusCode, 200);
    let after = NaN;
    for (let i = 0; i < 100 && after !== 0; i++) {
      after = one(parseScrape(await metrics()).byName.get('keyway_upstream_requests_in_flight'), labels);
      if (after !== 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(after, 0);
  });

  it('passes the Prometheus text parser and the naming conventions', async () => {
    scrapeText = await metrics();
    scrape = parseScrape(scrapeText);
    assert.ok(scrape.families.length > 20, `${scrape.families.length} families`);
    assert.deepEqual(conventionProblems(scrapeText, scrape), []);
    for (const f of scrape.families) {
      const names = labelNames(f);
      if (names.has('service') || names.has('route'))
        assert.ok(names.has('workspace'), `${f.name} has a service or route label and a workspace label`);
    }
    // The renamed families are gone (docs/observability.md, "Upgrading").
    for (const old of [
      'keyway_request_latency_ms',
      'keyway_upstream_latency_ms',
      'keyway_call_records_dropped',
    ])
      assert.equal(scrape.byName.get(old), undefined, old);
  });

  it('keeps two workspaces’ services of the same name apart', () => {
    const requests = scrape.byName.get('keyway_requests_total');
    const teamB = { workspace: 'team-b', service: 'billing', route: 'invoices', status: '200' };
    assert.equal(one(requests, teamB), 2);
    const ours = series(requests, {
      workspace: 'default',
      service: 'billing',
      route: 'invoices',
      status: '200',
    });
    assert.equal(
      ours.reduce((a, b) => a + b, 0),
      4,
      'alpha twice, beta, gamma',
    );
    const durations = scrape.byName.get('keyway_request_duration_seconds');
    assert.equal(one(durations, { workspace: 'team-b', service: 'billing', route: 'invoices' }), 2);
  });

  it('measures durations in seconds', () => {
    const f = scrape.byName.get('keyway_request_duration_seconds');
    const m = f?.metrics.find((s) => s.labels?.['workspace'] === 'team-b');
    assert.ok(m?.buckets !== undefined);
    assert.deepEqual(
      Object.keys(m.buckets).sort((a, b) => Number(a) - Number(b)),
      [
        '0.0005',
        '0.001',
        '0.002',
        '0.005',
        '0.01',
        '0.025',
        '0.05',
        '0.1',
        '0.25',
        '0.5',
        '1',
        '2.5',
        '5',
        '10',
        '30',
        '+Inf',
      ],
    );
    const sum = Number(m.sum);
    assert.ok(sum > 0 && sum < 10, `two local calls took ${sum} s, not ms`);
  });

  it('labels calls by consumer up to the cap, folds the rest into "other" and counts them', () => {
    const requests = scrape.byName.get('keyway_requests_total');
    const base = { workspace: 'default', service: 'billing', route: 'invoices' };
    assert.equal(one(requests, { ...base, status: '200', consumer: 'alpha' }), 2);
    assert.equal(one(requests, { ...base, status: '429', consumer: 'alpha' }), 1);
    assert.equal(one(requests, { ...base, status: '200', consumer: 'beta' }), 1);
    assert.equal(one(requests, { ...base, status: '200', consumer: 'other' }), 1, 'gamma, past the cap');
    assert.deepEqual(series(requests, { consumer: 'gamma' }), []);
    assert.equal(one(requests, { ...base, status: '401', consumer: '' }), 1, 'no consumer identified');
    assert.equal(one(scrape.byName.get('keyway_metrics_consumers_folded_total'), {}), 1);
    assert.equal(one(scrape.byName.get('keyway_metrics_consumer_label_values'), {}), 2);
    const limited = scrape.byName.get('keyway_rate_limit_rejections_total');
    assert.equal(one(limited, { ...base, consumer: 'alpha' }), 1);
  });

  it('counts AI tokens by provider, model and direction, and the spend in USD', () => {
    const tokens = scrape.byName.get('keyway_ai_tokens_total');
    const labels = { workspace: 'default', provider: 'mock', model: 'mock-echo', consumer: 'beta' };
    const input = one(tokens, { ...labels, direction: 'input' });
    const output = one(tokens, { ...labels, direction: 'output' });
    assert.ok(input > 0 && output > 0, `${input} in, ${output} out`);
    // The price table: 1 USD per million input tokens, 2 per million output tokens.
    const cost = one(scrape.byName.get('keyway_ai_cost_total'), labels);
    assert.ok(Math.abs(cost - (input * 1 + output * 2) / 1e6) <= 1e-6, `${cost} USD`);
    assert.match(scrape.byName.get('keyway_ai_cost_total')?.help ?? '', /USD/);
  });

  it('reports failures, refusals, target health and the record pipeline', () => {
    const ws = { workspace: 'default' };
    assert.equal(one(scrape.byName.get('keyway_auth_failures_total'), { ...ws, reason: 'missing' }), 1);
    assert.ok(
      (series(scrape.byName.get('keyway_upstream_failures_total'), { ...ws, service: 'dead' })[0] ?? 0) >= 1,
    );
    assert.equal(one(scrape.byName.get('keyway_unrouted_requests_total'), { status: '404' }), 1);
    const health = scrape.byName.get('keyway_upstream_target_health');
    const billing = { ...ws, service: 'billing', target: echo.address };
    assert.equal(one(health, { ...billing, state: 'healthchecks_off' }), 1);
    assert.equal(one(health, { ...billing, state: 'healthy' }), 0);
    assert.equal(one(health, { ...billing, state: 'unhealthy' }), 0);
    assert.equal(one(scrape.byName.get('keyway_call_records_dropped_total'), {}), 0);
    assert.equal(scrape.byName.get('keyway_call_records_dropped_total')?.type, 'COUNTER');
    assert.equal(one(scrape.byName.get('keyway_store_reachable'), {}), 1);
  });

  it('backs every query of the Grafana dashboard with a family it exports', () => {
    const file = join(ROOT, 'deploy', 'grafana', 'keyway-dashboard.json');
    const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
      panels: Array<{ title: string; type: string; targets?: Array<{ expr?: string }> }>;
      templating: { list: Array<{ name: string; type: string; query?: string | { query?: string } }> };
    };
    const workspace = dashboard.templating.list.find((v) => v.name === 'workspace');
    assert.equal(workspace?.type, 'query', 'a workspace template variable');
    const queries: Array<[string, string]> = [];
    for (const v of dashboard.templating.list) {
      const q = typeof v.query === 'string' ? v.query : v.query?.query;
      if (v.type === 'query' && q !== undefined) queries.push([`variable ${v.name}`, q]);
    }
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    for (const p of panels) for (const t of p.targets ?? []) queries.push([p.title, t.expr ?? '']);
    assert.ok(panels.length >= 12, `${panels.length} panels`);
    const used = new Set<string>();
    for (const [where, expr] of queries) {
      assert.ok(expr.trim() !== '', `${where}: an expression`);
      // label_values(metric, label) names a metric too.
      const lv = /^label_values\((\w+),\s*(\w+)\)$/.exec(expr.trim());
      const selectors = lv !== null ? [{ metric: lv[1] ?? '', labels: [lv[2] ?? ''] }] : selectorsOf(expr);
      assert.ok(selectors.length > 0, `${where}: names a metric (${expr})`);
      for (const s of selectors) {
        const f = familyOf(s.metric, scrape.byName);
        assert.ok(f !== undefined, `${where}: ${s.metric} is not a family Keyway exports`);
        used.add(f.name);
        const has = labelNames(f);
        if (f.metrics.length === 0) continue;
        for (const l of s.labels)
          if (!['instance', 'job', 'le'].includes(l))
            assert.ok(has.has(l), `${where}: ${f.name} has no label ${l}`);
        if (has.has('workspace') && lv === null)
          assert.ok(s.labels.includes('workspace'), `${where}: ${f.name} filtered by $workspace`);
      }
    }
    for (const needed of [
      'keyway_requests_total',
      'keyway_request_duration_seconds',
      'keyway_rate_limit_rejections_total',
      'keyway_ai_tokens_total',
      'keyway_ai_cost_total',
    ])
      assert.ok(used.has(needed), `the dashboard shows ${needed}`);
    assert.ok(
      queries.some(([, e]) => e.includes('histogram_quantile(')),
      'latency percentiles',
    );
  });
});
