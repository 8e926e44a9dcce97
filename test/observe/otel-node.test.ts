/**
 * OpenTelemetry on a real `keyway start --config keyway.yaml` process: tracing and body capture set in the
 * file's `observability:` section, a call that continues the caller's trace, and SIGTERM right after it —
 * the span reaches the collector because shutdown flushes the queue (the batch delay has not passed).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startKeyway, type KeywayProcess } from '../helpers/keyway-process.js';
import { startEcho, startServer, type TestServer } from '../helpers/upstream.js';

interface OtlpBody {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{
      spans: Array<{ traceId: string; parentSpanId?: string; name: string; kind: number }>;
    }>;
  }>;
}

describe('OpenTelemetry on a keyway process', () => {
  let echo: TestServer;
  let collector: TestServer;
  let kw: KeywayProcess;
  const posts: OtlpBody[] = [];

  before(async () => {
    echo = await startEcho();
    collector = await startServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        posts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpBody);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'keyway-otel-'));
    const file = join(dataDir, 'keyway.yaml');
    writeFileSync(
      file,
      [
        'observability:',
        `  otel_endpoint: http://${collector.address}/v1/traces`,
        '  otel_service_name: keyway-e2e',
        '  capture_bodies: [weather]',
        '',
      ].join('\n'),
    );
    kw = await startKeyway({ dataDir, args: ['--config', file] });
  });
  after(async () => {
    await kw.stop();
    await echo.close();
    await collector.close();
  });

  it('exports the call’s spans and flushes them on SIGTERM', async () => {
    const admin = async (path: string, body: unknown): Promise<void> => {
      const res = await request(`${kw.adminUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${kw.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(res.statusCode < 300, await res.body.text());
      await res.body.dump();
    };
    await admin('/services', { name: 'weather', url: `http://${echo.address}` });
    await admin('/routes', { name: 'weather', service: 'weather', paths: ['/weather'] });

    const traceId = '5bf92f3577b34da6a3ce929d0e0e4736';
    let status = 0;
    // The route reaches the data plane a moment after the admin API answered.
    for (let i = 0; i < 50 && status !== 200; i++) {
      const res = await request(`${kw.proxyUrl}/weather/today`, {
        headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      });
      await res.body.dump();
      status = res.statusCode;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200);
    assert.equal(await kw.stop('SIGTERM'), 0);

    const resource = posts[0]?.resourceSpans[0]?.resource.attributes.find((a) => a.key === 'service.name');
    assert.equal(resource?.value.stringValue, 'keyway-e2e');
    const spans = posts.flatMap((p) => p.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    const ours = spans.filter((s) => s.traceId === traceId);
    const server = ours.find((s) => s.name === 'GET /weather' && s.kind === 2);
    assert.equal(server?.parentSpanId, '00f067aa0ba902b7');
    assert.ok(
      ours.some((s) => s.kind === 3 && s.name === 'GET'),
      'and the upstream call',
    );
  });
});
