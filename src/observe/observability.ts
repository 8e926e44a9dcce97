/**
 * Wires observability for one node: the call observer the data plane calls, the ring and batch writer,
 * the sinks, rollups, retention, alerts and metrics — and the order they stop in: the node drains the
 * proxy first (every in-flight call closes and is recorded), then `close()` writes the ring out, adds the
 * last rollups, and only then does the node close its store.
 */
import type { Logger } from 'pino';
import { ActiveRules } from './alerts/active-rules.js';
import { AlertEngine } from './alerts/alert-engine.js';
import { StoreLease } from './store/lease.js';
import { AlertRuleStore } from './alerts/alert-rules.js';
import { AuthFailureWindow } from './alerts/auth-failure-window.js';
import { BudgetAlerts } from './alerts/budget-alerts.js';
import { NetworkAlerts } from './alerts/network-alerts.js';
import { QuotaAlerts } from './alerts/quota-alerts.js';
import { AuthReasons } from './auth-reasons.js';
import { BatchWriter } from './batch-writer.js';
import type { CallRecord } from './call-record.js';
import { CallObserver } from './call-observer.js';
import { CallCapture } from './capture.js';
import { OtelTracing } from './otel/otel-tracing.js';
import { ProxyMetrics, type NodeGauges } from './metrics.js';
import type { ObserveSettings } from './observe-settings.js';
import { RingBuffer } from './ring-buffer.js';
import { RollupAggregator } from './rollups.js';
import { HttpSink } from './sinks/http-sink.js';
import type { RecordSink } from './sinks/sink.js';
import { StreamSink } from './sinks/stream-sink.js';
import { openObserveDb, type ObserveDb } from './store/observe-db.js';
import { PgRecordSink } from './store/pg-sink.js';
import { applyRetention } from './store/retention.js';
import { SqliteRecordSink } from './store/sqlite-sink.js';

const ROLLUP_FLUSH_MS = 5_000;
const RETENTION_EVERY_MS = 3_600_000;

export interface Observability {
  observer: CallObserver | undefined;
  metrics: ProxyMetrics | undefined;
  store: ObserveDb;
  rules: AlertRuleStore;
  alerts: AlertEngine;
  /** Where the data plane reports AI budget crossings (PluginServices.budgetAlerts). */
  budgetAlerts: BudgetAlerts;
  /** Where the quota plugin reports quotas reaching a rule's level (PluginServices.quotaAlerts). */
  quotaAlerts: QuotaAlerts;
  /** Watches call record batches for credentials used from new networks. */
  networkAlerts: NetworkAlerts;
  settings: ObserveSettings;
  /** Writes buffered records and rollups now (tests; `keyway logs` right after a call). */
  flush(): Promise<void>;
  stats(): { buffered: number; dropped: number; written: number; failed: number };
  close(): Promise<void>;
}

export interface ObservabilityOptions {
  settings: ObserveSettings;
  dataDir: string;
  databaseUrl?: string;
  log: Logger;
  gauges: Pick<NodeGauges, 'configVersion' | 'storePing' | 'redisPing'>;
}

export function startObservability(opts: ObservabilityOptions): Observability {
  const { settings, log } = opts;
  const store = openObserveDb(
    opts.databaseUrl === undefined
      ? { dataDir: opts.dataDir }
      : { dataDir: opts.dataDir, databaseUrl: opts.databaseUrl },
  );
  const ring = settings.records ? new RingBuffer<CallRecord>(settings.bufferSize) : undefined;
  const rollups = new RollupAggregator();
  const authFailures = new AuthFailureWindow();
  const warn =
    (msg: string) =>
    (err: unknown): void =>
      log.warn({ err: err instanceof Error ? err.message : String(err) }, msg);
  const rules = new AlertRuleStore(store);
  // The rules the data plane and the record batches decide on without a query (quota levels, networks).
  const activeRules = new ActiveRules(rules, {
    refreshMs: settings.alertIntervalMs,
    onError: warn('alert rules not reloaded'),
  });
  void activeRules.start();
  const networkAlerts = new NetworkAlerts(store, activeRules, {
    log,
    onError: warn('new-network alert check failed'),
  });
  const sinks: RecordSink[] = [];
  if (ring !== undefined) {
    for (const kind of settings.sinks) {
      if (kind === 'store')
        sinks.push(
          store.dialect === 'sqlite' ? new SqliteRecordSink(opts.dataDir) : new PgRecordSink(store.db),
        );
      else if (kind === 'file' && settings.file !== undefined) sinks.push(StreamSink.file(settings.file));
      else if (kind === 'http' && settings.httpUrl !== undefined) sinks.push(new HttpSink(settings.httpUrl));
      else if (kind === 'stdout') sinks.push(StreamSink.stdout());
    }
  }
  const writer =
    ring === undefined
      ? undefined
      : new BatchWriter(ring, sinks, {
          batchSize: settings.batchSize,
          flushIntervalMs: settings.flushIntervalMs,
          onBatch(batch) {
            rollups.add(batch);
            authFailures.add(batch);
            networkAlerts.add(batch);
          },
          onSinkError(sink, err, lost) {
            log.warn(
              { sink, lost, err: err instanceof Error ? err.message : String(err) },
              'call records lost',
            );
          },
        });
  writer?.start();

  const metrics = settings.metrics
    ? new ProxyMetrics({
        ...opts.gauges,
        recordsDropped: () => ring?.dropped ?? 0,
        recordsBuffered: () => ring?.length ?? 0,
      })
    : undefined;
  const reasons = new AuthReasons();
  // OpenTelemetry spans: the SDK is imported only when an endpoint is set (src/observe/otel/).
  const tracing = settings.otel === undefined ? undefined : OtelTracing.start(settings.otel, log);
  const observer =
    ring === undefined && metrics === undefined && tracing === undefined
      ? undefined
      : new CallObserver({
          ring,
          onBatchReady: () => writer?.kick(),
          batchSize: settings.batchSize,
          metrics,
          reasons,
          capture: CallCapture.from(settings.capture),
          trace: settings.trace === 'propagate',
          tracing,
        });

  const flushRollups = async (): Promise<void> => {
    try {
      await rollups.flush(store);
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'rollups not stored yet');
    }
  };
  const rollupTimer = setInterval(() => void flushRollups(), ROLLUP_FLUSH_MS);
  rollupTimer.unref();
  const retention = (): void =>
    void applyRetention(store, settings.retentionDays, Date.now()).then(
      (dropped) => {
        if (dropped.length > 0) log.info({ days: dropped }, 'call records past retention dropped');
      },
      (err: unknown) =>
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'call record retention failed'),
    );
  // Under `--workers N` only slot 0 runs the node-wide jobs (src/cluster/primary.ts); one process runs them.
  const runsNodeJobs = (process.env['KEYWAY_WORKER_SLOT'] ?? '0') === '0';
  let retentionTimer: NodeJS.Timeout | undefined;
  if (runsNodeJobs) {
    retentionTimer = setInterval(retention, RETENTION_EVERY_MS);
    retentionTimer.unref();
    setTimeout(retention, 5_000).unref();
  }

  const flush = async (): Promise<void> => {
    await writer?.flush();
    await flushRollups();
  };
  const alerts = new AlertEngine(store, rules, authFailures, {
    beforeEvaluate: flush,
    // Nodes sharing a store take turns through a lease; three rounds without renewal hand it over.
    lease: new StoreLease(store, 'alerts', settings.alertIntervalMs * 3),
    onError: (err) =>
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'alert evaluation failed'),
  });
  if (runsNodeJobs) alerts.start(settings.alertIntervalMs);
  const budgetAlerts = new BudgetAlerts(store, rules, {
    log,
    onError: (err) =>
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'AI budget alert not recorded'),
  });
  const quotaAlerts = new QuotaAlerts(store, activeRules, { log, onError: warn('quota alert not recorded') });

  return {
    observer,
    metrics,
    store,
    rules,
    alerts,
    budgetAlerts,
    quotaAlerts,
    networkAlerts,
    settings,
    flush,
    stats: () => ({
      buffered: ring?.length ?? 0,
      dropped: ring?.dropped ?? 0,
      written: writer?.written ?? 0,
      failed: writer?.failed ?? 0,
    }),
    async close() {
      clearInterval(rollupTimer);
      clearInterval(retentionTimer);
      await alerts.stop();
      activeRules.stop();
      await budgetAlerts.idle();
      await quotaAlerts.idle();
      await writer?.close();
      await networkAlerts.idle();
      await tracing?.shutdown();
      await flushRollups();
      reasons.close();
      await store.close();
    },
  };
}
