/**
 * Wires observability for one node: the call observer the data plane calls, the record buffer, writer
 * and thread (which runs the sinks and the rollups), retention, alerts and metrics — and the order they
 * stop in: the node drains the proxy first (every in-flight call closes and is recorded), then `close()`
 * writes the buffer out, lets the record thread add the last rollups, and only then does the node close
 * its store.
 */
import type { Logger } from 'pino';
import { ActiveRules } from './alerts/active-rules.js';
import { AlertEngine } from './alerts/alert-engine.js';
import { StoreLease } from './store/lease.js';
import { AlertRuleStore } from './alerts/alert-rules.js';
import { AuthFailureWindow } from './alerts/auth-failure-window.js';
import { BudgetAlerts } from './alerts/budget-alerts.js';
import { NetworkAlerts } from './alerts/network-alerts.js';
import { SubscriptionAlerts } from './alerts/subscription-alerts.js';
import { HealthAlerts } from './alerts/health-alerts.js';
import { QuotaAlerts } from './alerts/quota-alerts.js';
import { AuthReasons } from './auth-reasons.js';
import { CallObserver } from './call-observer.js';
import { CallCapture } from './capture.js';
import { OtelTracing } from './otel/otel-tracing.js';
import { ProxyMetrics, type NodeGauges } from './metrics.js';
import type { ObserveSettings } from './observe-settings.js';
import type { CallRecord } from './records/call-record.js';
import { RecordBuffer } from './records/record-buffer.js';
import { RecordThread } from './records/record-thread.js';
import { RecordWriter } from './records/record-writer.js';
import { StreamSink } from './sinks/stream-sink.js';
import { openObserveDb, type ObserveDb } from './store/observe-db.js';
import { applyRetention } from './store/retention.js';

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
  /** Where the admin API reports subscriptions waiting for approval (`subscription` alert rules). */
  subscriptionAlerts: SubscriptionAlerts;
  /** Where the node's upstream target states report health and breaker changes (`upstream_health` rules). */
  healthAlerts: HealthAlerts;
  /** Watches call record batches for credentials used from new networks. */
  networkAlerts: NetworkAlerts;
  settings: ObserveSettings;
  /** Writes buffered records and rollups now (tests; `keyway logs` right after a call). */
  flush(): Promise<void>;
  /**
   * `dropped`: refused by the full buffer; `failed`: lost at a sink (per sink); `lost`: every record lost,
   * those two and spooled records the store refused for good; `spooled`: waiting in the spool.
   */
  stats(): {
    buffered: number;
    dropped: number;
    written: number;
    failed: number;
    spooled: number;
    lost: number;
  };
  close(): Promise<void>;
}

export interface ObservabilityOptions {
  settings: ObserveSettings;
  dataDir: string;
  databaseUrl?: string;
  /** The store deadline (`store_timeout_ms`) for observability's own connections too. */
  storeTimeoutMs?: number;
  /** This worker's slot under `--workers N` (`worker_slot`); 0, or absent, alone. */
  workerSlot?: number;
  log: Logger;
  gauges: Pick<
    NodeGauges,
    'configVersion' | 'storePing' | 'redisPing' | 'upstreamTargets' | 'upstreamPools' | 'proxyLoad'
  >;
}

export function startObservability(opts: ObservabilityOptions): Observability {
  const { settings, log } = opts;
  const store = openObserveDb({
    dataDir: opts.dataDir,
    ...(opts.databaseUrl === undefined ? {} : { databaseUrl: opts.databaseUrl }),
    ...(opts.storeTimeoutMs === undefined ? {} : { timeoutMs: opts.storeTimeoutMs }),
  });
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

  // Call records: packed as they arrive (records/), written and rolled up on the record thread.
  let writer: RecordWriter | undefined;
  let recordThread: RecordThread | undefined;
  /** Records lost after the writer had handed them over (a spooled batch the store refused for good). */
  let lostLater = 0;
  const buffer = settings.records
    ? new RecordBuffer({
        capacity: settings.bufferSize,
        batchSize: settings.batchSize,
        onBatchReady: () => writer?.kick(),
        tap(r: Readonly<CallRecord>) {
          if (r.auth === 'denied') authFailures.note(r);
          if (networkAlerts.watching) networkAlerts.note(r);
        },
      })
    : undefined;
  if (buffer !== undefined) {
    const sinks = settings.sinks;
    const thread = new RecordThread(
      {
        dataDir: opts.dataDir,
        databaseUrl: opts.databaseUrl,
        storeTimeoutMs: opts.storeTimeoutMs,
        spoolBytes: settings.spoolBytes,
        spoolRetryMs: settings.spoolRetryMs,
        spoolSlot: opts.workerSlot,
        sinks: sinks.filter((k) => k !== 'stdout'),
        file: settings.file,
        httpUrl: settings.httpUrl,
        rollupFlushMs: ROLLUP_FLUSH_MS,
      },
      (msg, error) => log.warn({ err: error }, msg),
      (arrays) => buffer.recycle(arrays),
      {
        spool(state, records, reason) {
          if (state === 'spooling')
            log.warn(
              { spooled: records, err: reason },
              'store unreachable: call records go to the local spool',
            );
          else if (state === 'drained') log.info('spooled call records are all in the store');
        },
        lost(count, error) {
          lostLater += count;
          log.warn({ sink: 'store', lost: count, err: error }, 'call records lost');
        },
      },
    );
    recordThread = thread;
    writer = new RecordWriter(
      buffer,
      { thread, local: sinks.includes('stdout') ? [StreamSink.stdout()] : [] },
      {
        flushIntervalMs: settings.flushIntervalMs,
        onSinkError(sink, err, lost) {
          log.warn(
            { sink, lost, err: err instanceof Error ? err.message : String(err) },
            'call records lost',
          );
        },
        onDropped(dropped) {
          log.warn(
            { lost: dropped, buffer: settings.bufferSize },
            'call records lost: the record buffer was full',
          );
        },
      },
    );
    writer.start();
  }

  /** Every record lost, however: refused by the full buffer, failed at a sink (per sink), or later. */
  const lost = (): number => (buffer?.dropped ?? 0) + (writer?.failed ?? 0) + lostLater;
  const metrics = settings.metrics
    ? new ProxyMetrics(
        {
          ...opts.gauges,
          recordsDropped: () => lost(),
          recordsBuffered: () => buffer?.length ?? 0,
          recordsSpooled: () => recordThread?.spooled ?? 0,
        },
        {
          consumerLabelLimit: settings.metricsConsumerLabel ? settings.metricsConsumerLabelLimit : undefined,
        },
      )
    : undefined;
  const reasons = new AuthReasons();
  // OpenTelemetry spans: the SDK is imported only when an endpoint is set (src/observe/otel/).
  const tracing = settings.otel === undefined ? undefined : OtelTracing.start(settings.otel, log);
  const observer =
    buffer === undefined && metrics === undefined && settings.trace !== 'propagate'
      ? undefined
      : new CallObserver({
          records: buffer,
          metrics,
          reasons,
          capture: CallCapture.from(settings.capture),
          trace: settings.trace === 'propagate',
          tracing,
        });

  const retention = (): void =>
    void applyRetention(store, settings.retentionDays, Date.now()).then(
      (dropped) => {
        if (dropped.length > 0) log.info({ days: dropped }, 'call records past retention dropped');
      },
      (err: unknown) =>
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'call record retention failed'),
    );
  // Under `--workers N` only slot 0 runs the node-wide jobs (src/server/primary.ts); one process runs them.
  const runsNodeJobs = (opts.workerSlot ?? 0) === 0;
  let retentionTimer: NodeJS.Timeout | undefined;
  if (runsNodeJobs) {
    retentionTimer = setInterval(retention, RETENTION_EVERY_MS);
    retentionTimer.unref();
    setTimeout(retention, 5_000).unref();
  }

  const flush = async (): Promise<void> => {
    await writer?.flush();
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
  const subscriptionAlerts = new SubscriptionAlerts(store, activeRules, {
    log,
    onError: warn('subscription alert not recorded'),
  });
  const healthAlerts = new HealthAlerts(store, activeRules, {
    log,
    onError: warn('upstream health alert not recorded'),
  });

  return {
    observer,
    metrics,
    store,
    rules,
    alerts,
    budgetAlerts,
    quotaAlerts,
    subscriptionAlerts,
    healthAlerts,
    networkAlerts,
    settings,
    flush,
    stats: () => ({
      buffered: buffer?.length ?? 0,
      dropped: buffer?.dropped ?? 0,
      written: writer?.written ?? 0,
      failed: writer?.failed ?? 0,
      spooled: recordThread?.spooled ?? 0,
      lost: lost(),
    }),
    async close() {
      clearInterval(retentionTimer);
      await alerts.stop();
      activeRules.stop();
      await budgetAlerts.idle();
      await quotaAlerts.idle();
      await subscriptionAlerts.idle();
      await healthAlerts.idle();
      await writer?.close();
      await networkAlerts.idle();
      await tracing?.shutdown();
      reasons.close();
      await store.close();
    },
  };
}
