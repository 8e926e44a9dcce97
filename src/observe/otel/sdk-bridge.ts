/**
 * The OpenTelemetry SDK side of tracing, imported only when tracing is on (otel-tracing.ts).
 *
 * Keyway's spans have ids fixed before the SDK sees them: the trace id is the one already propagated and
 * written in the call record, and the CLIENT span's id is the parent id already sent upstream in
 * `traceparent` — so the upstream's own spans hang under it. The SDK's Tracer asks its IdGenerator for
 * ids (sdk-trace-base Tracer.startSpan: span id first, then a trace id for a root span), so the bridge
 * gives it a generator that hands out the preset ids for the one synchronous `startSpan` call that follows.
 * Sampling was decided on arrival (sampling.ts); the SDK samples everything it is given.
 */
import { hostname } from 'node:os';
import { randomHex } from '../../core/random-id.js';
import { KEYWAY_VERSION } from '../../core/version.js';
import type { OtelSettings } from '../observe-settings.js';
import type { CallSpans, SpanSpec } from './call-spans.js';

export interface TracingLog {
  warn(obj: object, msg: string): void;
}

export interface SdkBridge {
  emit(spans: CallSpans): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Bounds a stalled collector can put on a graceful shutdown. */
const EXPORT_TIMEOUT_MS = 5_000;
const WARN_EVERY_MS = 60_000;

class PresetIds {
  trace: string | undefined = undefined;
  span: string | undefined = undefined;

  generateTraceId(): string {
    const id = this.trace ?? randomHex(16);
    this.trace = undefined;
    return id;
  }

  generateSpanId(): string {
    const id = this.span ?? randomHex(8);
    this.span = undefined;
    return id;
  }
}

export async function loadSdkBridge(settings: OtelSettings, log: TracingLog): Promise<SdkBridge> {
  const [api, sdk, otlp, resources] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  type Exporter = InstanceType<typeof otlp.OTLPTraceExporter>;
  type ExportDone = Parameters<Exporter['export']>[1];

  // OTLP/HTTP with JSON bodies (this exporter's encoding; `-proto` is the protobuf one).
  const inner = new otlp.OTLPTraceExporter({
    url: settings.endpoint,
    headers: settings.headers,
    timeoutMillis: EXPORT_TIMEOUT_MS,
  });
  // Export failures are logged (at most once a minute, with the count lost), not thrown at anyone.
  let failed = 0;
  let lastWarn = 0;
  const exporter = {
    export(spans: Parameters<Exporter['export']>[0], done: ExportDone): void {
      inner.export(spans, (result) => {
        // ExportResultCode.SUCCESS is 0 (@opentelemetry/core, not a dependency of Keyway's own).
        if (Number(result.code) !== 0) {
          failed += spans.length;
          const now = Date.now();
          if (now - lastWarn >= WARN_EVERY_MS) {
            lastWarn = now;
            log.warn(
              { spans_lost: failed, err: result.error?.message ?? 'export failed' },
              'OpenTelemetry spans not exported',
            );
            failed = 0;
          }
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };

  const ids = new PresetIds();
  const provider = new sdk.BasicTracerProvider({
    resource: resources.defaultResource().merge(
      resources.resourceFromAttributes({
        'service.name': settings.serviceName,
        'service.version': KEYWAY_VERSION,
        'host.name': hostname(),
        'process.pid': process.pid,
      }),
    ),
    sampler: new sdk.AlwaysOnSampler(),
    idGenerator: ids,
    spanProcessors: [
      new sdk.BatchSpanProcessor(exporter, {
        maxQueueSize: 8192,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 1_000,
        exportTimeoutMillis: EXPORT_TIMEOUT_MS,
      }),
    ],
  });
  const tracer = provider.getTracer('keyway', KEYWAY_VERSION);
  const { SpanKind, SpanStatusCode, TraceFlags, ROOT_CONTEXT, trace } = api;

  const hr = (ns: bigint): [number, number] => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
  const start = (
    spec: SpanSpec,
    kind: (typeof SpanKind)[keyof typeof SpanKind],
    parent: ReturnType<typeof trace.setSpanContext>,
  ) => {
    ids.span = spec.spanId;
    const span = tracer.startSpan(
      spec.name,
      { kind, startTime: hr(spec.startNs), attributes: spec.attributes },
      parent,
    );
    ids.span = undefined;
    ids.trace = undefined;
    if (spec.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR });
    return span;
  };

  return {
    emit(c) {
      let parent = ROOT_CONTEXT;
      if (c.parentId !== undefined) {
        parent = trace.setSpanContext(ROOT_CONTEXT, {
          traceId: c.traceId,
          spanId: c.parentId,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
        });
      } else {
        ids.trace = c.traceId;
      }
      const server = start(c.server, SpanKind.SERVER, parent);
      if (c.client !== undefined) {
        const client = start(c.client, SpanKind.CLIENT, trace.setSpan(ROOT_CONTEXT, server));
        client.end(hr(c.client.endNs));
      }
      server.end(hr(c.server.endNs));
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
