/**
 * Prometheus metrics (prom-client), named as Kong and Tyk name theirs: `*_total` counters and `*_ms`
 * histograms with gateway and upstream time apart. Its own registry, so two nodes in one process (tests)
 * never share counters.
 *
 * Cost on the hot path: the four per-request metrics are hot-metrics.ts series (prom-client re-hashes the
 * labels on every `inc`/`observe`, even of a child); the series of one route are resolved once and kept on
 * a per-route object (a WeakMap keyed by the compiled route, so a retired snapshot's routes go with it; the
 * series themselves stay, so counts carry over a new snapshot), status series cached per route too. That
 * leaves a property read and a few additions per request.
 */
import client from 'prom-client';
import type { CompiledRoute } from '../pipeline/context.js';
import { HotCounter, HotHistogram, type CounterSeries, type HistogramSeries } from './hot-metrics.js';

/** Milliseconds: fine below 10 ms where a gateway's own time lives, coarse above a second. */
const LATENCY_BUCKETS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

interface RouteChildren {
  latency: HistogramSeries;
  upstream: HistogramSeries;
  bytesIn: CounterSeries;
  bytesOut: CounterSeries;
  byStatus: Map<number, CounterSeries>;
}

export interface NodeGauges {
  configVersion(): number;
  /** Resolves when the store answers; rejects otherwise. */
  storePing(): Promise<void>;
  /** Redis reachability when the node uses Redis (the clustering work registers it); undefined: no Redis. */
  redisPing?: () => Promise<void>;
  recordsDropped(): number;
  recordsBuffered(): number;
  /** Records waiting in the local spool for the store (absent: no spool). */
  recordsSpooled?: () => number;
}

export class ProxyMetrics {
  readonly registry = new client.Registry();
  private readonly requests: HotCounter;
  private readonly latency: HotHistogram;
  private readonly upstream: HotHistogram;
  private readonly bandwidth: HotCounter;
  private readonly limitRejections: client.Counter<string>;
  private readonly authFailures: client.Counter<string>;
  private readonly accessDecisions: client.Counter<string>;
  private readonly upstreamFailures: client.Counter<string>;
  private readonly byRoute = new WeakMap<CompiledRoute, RouteChildren>();
  private readonly unrouted: client.Counter<string>;

  constructor(gauges: NodeGauges) {
    const registers = [this.registry];
    const registry = this.registry;
    this.requests = new HotCounter({
      name: 'keyway_requests_total',
      help: 'Requests answered, by service, route and status',
      labelNames: ['service', 'route', 'status'],
      registry,
    });
    this.unrouted = new client.Counter({
      name: 'keyway_unrouted_requests_total',
      help: 'Requests answered before a route was known (404 no route, 414, 431, 400), by status',
      labelNames: ['status'],
      registers,
    });
    this.latency = new HotHistogram({
      name: 'keyway_request_latency_ms',
      help: 'Time from the request arriving to the response ending, in milliseconds',
      labelNames: ['service', 'route'],
      buckets: LATENCY_BUCKETS,
      registry,
    });
    this.upstream = new HotHistogram({
      name: 'keyway_upstream_latency_ms',
      help: 'Time spent waiting on the upstream (first byte sent to last byte received), in milliseconds',
      labelNames: ['service', 'route'],
      buckets: LATENCY_BUCKETS,
      registry,
    });
    this.bandwidth = new HotCounter({
      name: 'keyway_bandwidth_bytes_total',
      help: 'Body bytes, by service, route and direction (ingress from clients, egress to clients)',
      labelNames: ['service', 'route', 'direction'],
      registry,
    });
    this.limitRejections = new client.Counter({
      name: 'keyway_rate_limit_rejections_total',
      help: 'Requests refused with 429, by route and error code',
      labelNames: ['route', 'code'],
      registers,
    });
    this.authFailures = new client.Counter({
      name: 'keyway_auth_failures_total',
      help: 'Requests refused by authentication, by route and reason',
      labelNames: ['route', 'reason'],
      registers,
    });
    this.accessDecisions = new client.Counter({
      name: 'keyway_access_decisions_total',
      help: 'Access checks that denied a request, or would have in shadow mode, by route, check and effect',
      labelNames: ['route', 'check', 'effect'],
      registers,
    });
    this.upstreamFailures = new client.Counter({
      name: 'keyway_upstream_failures_total',
      help: 'Failed upstream attempts (refused, reset, timed out), by service and target',
      labelNames: ['service', 'target', 'code'],
      registers,
    });
    new client.Gauge({
      name: 'keyway_config_version',
      help: 'Config version of the snapshot this node serves',
      registers,
      collect() {
        this.set(gauges.configVersion());
      },
    });
    new client.Gauge({
      name: 'keyway_store_reachable',
      help: '1 when the store answered a ping at scrape time',
      registers,
      async collect() {
        this.set(
          await gauges.storePing().then(
            () => 1,
            () => 0,
          ),
        );
      },
    });
    if (gauges.redisPing !== undefined) {
      const ping = gauges.redisPing;
      new client.Gauge({
        name: 'keyway_redis_reachable',
        help: '1 when Redis answered a ping at scrape time',
        registers,
        async collect() {
          this.set(
            await ping().then(
              () => 1,
              () => 0,
            ),
          );
        },
      });
    }
    new client.Gauge({
      name: 'keyway_call_records_dropped',
      help: 'Call records lost since start: refused by the full buffer, or not taken by a sink (counted per sink)',
      registers,
      collect() {
        this.set(gauges.recordsDropped());
      },
    });
    new client.Gauge({
      name: 'keyway_call_records_buffered',
      help: 'Call records waiting to be written',
      registers,
      collect() {
        this.set(gauges.recordsBuffered());
      },
    });
    const spooled = gauges.recordsSpooled;
    new client.Gauge({
      name: 'keyway_call_records_spooled',
      help: 'Call records waiting in the local spool until the store takes them',
      registers,
      collect() {
        this.set(spooled?.() ?? 0);
      },
    });
    client.collectDefaultMetrics({ register: this.registry, prefix: 'keyway_' });
  }

  private children(route: CompiledRoute): RouteChildren {
    let c = this.byRoute.get(route);
    if (c === undefined) {
      const labels = { service: route.service.name, route: route.name };
      c = {
        latency: this.latency.labels(labels),
        upstream: this.upstream.labels(labels),
        bytesIn: this.bandwidth.labels({ ...labels, direction: 'ingress' }),
        bytesOut: this.bandwidth.labels({ ...labels, direction: 'egress' }),
        byStatus: new Map(),
      };
      this.byRoute.set(route, c);
    }
    return c;
  }

  /** One answered request on a route. */
  observe(
    route: CompiledRoute,
    status: number,
    latencyMs: number,
    upstreamMs: number,
    bytesIn: number,
    bytesOut: number,
  ): void {
    const c = this.children(route);
    let counter = c.byStatus.get(status);
    if (counter === undefined) {
      counter = this.requests.labels({
        service: route.service.name,
        route: route.name,
        status: String(status),
      });
      c.byStatus.set(status, counter);
    }
    counter.value++;
    c.latency.observe(latencyMs);
    if (upstreamMs >= 0) c.upstream.observe(upstreamMs);
    if (bytesIn > 0) c.bytesIn.value += bytesIn;
    if (bytesOut > 0) c.bytesOut.value += bytesOut;
  }

  unroutedRequest(status: number): void {
    this.unrouted.inc({ status: String(status) });
  }

  rateLimited(route: string, code: string): void {
    this.limitRejections.inc({ route, code });
  }

  authFailed(route: string, reason: string): void {
    this.authFailures.inc({ route, reason });
  }

  /** One access decision (`effect`: deny, or shadow for a check that only records). */
  accessDecided(route: string, check: string, effect: string): void {
    this.accessDecisions.inc({ route, check, effect });
  }

  upstreamFailed(service: string, target: string, code: string): void {
    this.upstreamFailures.inc({ service, target, code });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
