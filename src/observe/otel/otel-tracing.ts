/**
 * OpenTelemetry span export for one node (off by default; on with `KEYWAY_OTEL_ENDPOINT`).
 *
 * The SDK is loaded with a dynamic import only when tracing is on, so a node without it neither loads
 * nor keeps the SDK in memory (several MB of modules; the streaming test caps a node at 150 MB). The load
 * takes a few milliseconds; calls that close before it finished are held (at most PENDING_MAX) and
 * exported once it has. Per call the observer does one sampling decision on arrival and, for a sampled
 * call, builds its spans when the response closes; the SDK's BatchSpanProcessor exports them in batches
 * (a full queue drops spans, never blocks the proxy).
 */
import type { TraceIds } from '../trace-context.js';
import type { OtelSettings } from '../observe-settings.js';
import type { CallSpans } from './call-spans.js';
import { sampleCall } from './sampling.js';
import type { SdkBridge, TracingLog } from './sdk-bridge.js';

/** What the call observer needs from tracing. */
export interface CallTracing {
  /** On arrival: is this call traced? Also sets the outgoing `traceparent`'s sampled flag accordingly. */
  sample(ids: TraceIds, upstreamHeaders: Record<string, string | string[] | undefined>): boolean;
  /** When the response closed, for a sampled call. */
  record(spans: CallSpans): void;
}

const PENDING_MAX = 1024;
/** How long a graceful shutdown waits for the collector before giving up on the queued spans. */
const SHUTDOWN_MS = 5_000;

export class OtelTracing implements CallTracing {
  private bridge: SdkBridge | undefined = undefined;
  private pending: CallSpans[] = [];
  private readonly loading: Promise<void>;

  private constructor(
    private readonly settings: OtelSettings,
    private readonly log: TracingLog,
  ) {
    this.loading = import('./sdk-bridge.js')
      .then(({ loadSdkBridge }) => loadSdkBridge(settings, log))
      .then(
        (bridge) => {
          this.bridge = bridge;
          for (const spans of this.pending) bridge.emit(spans);
          this.pending = [];
        },
        (err: unknown) => {
          this.pending = [];
          log.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'OpenTelemetry SDK could not be loaded: spans are not exported',
          );
        },
      );
  }

  static start(settings: OtelSettings, log: TracingLog): OtelTracing {
    return new OtelTracing(settings, log);
  }

  /** Resolves once the SDK is loaded (or failed to load). */
  ready(): Promise<void> {
    return this.loading;
  }

  sample(ids: TraceIds, upstreamHeaders: Record<string, string | string[] | undefined>): boolean {
    return sampleCall(ids, upstreamHeaders, this.settings.sampleRatio);
  }

  record(spans: CallSpans): void {
    if (this.bridge !== undefined) this.bridge.emit(spans);
    else if (this.pending.length < PENDING_MAX) this.pending.push(spans);
  }

  /** Exports what is queued now. */
  async flush(): Promise<void> {
    await this.loading;
    await this.bridge?.flush();
  }

  /**
   * Exports what is queued and stops (graceful shutdown: after the proxy drained). A collector that does
   * not answer costs the shutdown SHUTDOWN_MS, not a batch timeout per queued batch.
   */
  async shutdown(): Promise<void> {
    await this.loading;
    const bridge = this.bridge;
    if (bridge === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), SHUTDOWN_MS);
      timer.unref();
    });
    const done = bridge.shutdown().then(
      () => false,
      () => false,
    );
    if (await Promise.race([done, gaveUp]))
      this.log.warn({ timeout_ms: SHUTDOWN_MS }, 'OpenTelemetry spans not flushed before shutdown');
    clearTimeout(timer);
  }
}
