/**
 * Prometheus metrics (prom-client), named by Prometheus' own rules: durations in seconds (`_seconds`
 * histograms), counters ending in `_total`, a unit in every name that has one. Every series of a service or
 * a route carries its `workspace` (two workspaces may each have a service `billing`); `consumer` is an
 * opt-in label with a cardinality guard (consumer-label.ts). Its own registry, so two nodes in one process
 * (tests) never share counters. docs/observability.md lists every family.
 *
 * Cost on the hot path: the four per-request metrics are hot-metrics.ts series (prom-client re-hashes the
 * labels on every `inc`/`observe`, even of a child); the series of one route are resolved once and kept on
 * a per-route object (a WeakMap keyed by the compiled route, so a retired snapshot's routes go with it; the
 * series themselves stay, so counts carry over a new snapshot), status series cached per route too. That
 * leaves a property read and a few additions per request. Durations are observed in milliseconds against
 * bounds in milliseconds and exposed in seconds at scrape time (HotHistogram `scale`). The node-wide
 * gauges (upstream targets and connections, the store) are read when Prometheus scrapes, never per request.
 */
import client from 'prom-client';
import type { TargetHealth } from '../pipeline/balancer.js';
import type { CompiledRoute } from '../pipeline/context.js';
import type { AiUsage } from '../pipeline/facts.js';
import { ConsumerLabels } from './consumer-label.js';
import { HotCounter, HotHistogram, type CounterSeries, type HistogramSeries } from './hot-metrics.js';

/**
 * Bounds in milliseconds (exposed in seconds, 0.0005 s … 30 s): fine below 10 ms where a gateway's own
 * time lives, coarse above a second.
 */
const LATENCY_BOUNDS_MS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

/** Every state `keyway_upstream_target_health` reports, one series each (1 for the target's state). */
export const TARGET_HEALTH_STATES: readonly TargetHealth[] = ['healthchecks_off', 'healthy', 'unhealthy'];

interface RouteChildren {
  latency: HistogramSeries;
  upstream: HistogramSeries;
  bytesIn: CounterSeries;
  bytesOut: CounterSeries;
  byStatus: Map<number, CounterSeries>;
  /** With the consumer label: an admitted consumer's label value → its status series. */
  byConsumer: Map<string, ConsumerSeries> | undefined;
  /** With the consumer label: the series of the consumers folded into `other`. */
  other: ConsumerSeries | undefined;
}

interface ConsumerSeries {
  label: string;
  byStatus: Map<number, CounterSeries>;
}

/** One upstream target of a service the node serves, as its balancer sees it at scrape time. */
export interface UpstreamTargetState {
  workspace: string;
  service: string;
  /** `host:port` as configured. */
  target: string;
  /** Requests sent to it and not yet answered (this service's). */
  inFlight: number;
  health: TargetHealth;
}

/** The node's keep-alive pool to one upstream target (shared by every service that reaches it). */
export interface UpstreamPool {
  /** `host:port`. */
  target: string;
  /** Connections open. */
  open: number;
  /** Of those, connections carrying a request now. */
  busy: number;
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
  /** The targets of the services the node serves now (absent: none reported). */
  upstreamTargets?: () => Iterable<UpstreamTargetState>;
  /** The upstream connection pools (absent: none reported). */
  upstreamPools?: () => Iterable<UpstreamPool>;
  /** The proxy listener's client connections and requests in flight (undefined until it listens). */
  proxyLoad?: () => { connections: number; inFlight: number } | undefined;
}

export interface MetricsOptions {
  /** Cap on distinct `consumer` label values; undefined: no `consumer` label (the default). */
  consumerLabelLimit?: number | undefined;
}

const WRS = ['workspace', 'service', 'route'] as const;

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
  private readonly aiTokens: client.Counter<string>;
  private readonly aiCost: client.Counter<string>;
  private readonly byRoute = new WeakMap<CompiledRoute, RouteChildren>();
  private readonly unrouted: client.Counter<string>;
  /** The consumer label's guard; undefined when the label is off. */
  private readonly consumers: ConsumerLabels | undefined;

  constructor(gauges: NodeGauges, opts: MetricsOptions = {}) {
    const registers = [this.registry];
    const registry = this.registry;
    const consumers =
      opts.consumerLabelLimit === undefined ? undefined : new ConsumerLabels(opts.consumerLabelLimit);
    this.consumers = consumers;
    const withConsumer = (names: readonly string[]): string[] =>
      consumers === undefined ? [...names] : [...names, 'consumer'];

    this.requests = new HotCounter({
      name: 'keyway_requests_total',
      help: 'Requests answered, by workspace, service, route and status',
      labelNames: withConsumer([...WRS, 'status']),
      registry,
    });
    this.unrouted = new client.Counter({
      name: 'keyway_unrouted_requests_total',
      help: 'Requests answered before a route was known (404 no route, 414, 431, 400), by status',
      labelNames: ['status'],
      registers,
    });
    this.latency = new HotHistogram({
      name: 'keyway_request_duration_seconds',
      help: 'Time from the request arriving to the response ending, in seconds',
      labelNames: WRS,
      buckets: LATENCY_BOUNDS_MS,
      scale: 1000,
      registry,
    });
    this.upstream = new HotHistogram({
      name: 'keyway_upstream_duration_seconds',
      help: 'Time spent on the upstream (request dispatched to its last byte received), in seconds',
      labelNames: WRS,
      buckets: LATENCY_BOUNDS_MS,
      scale: 1000,
      registry,
    });
    this.bandwidth = new HotCounter({
      name: 'keyway_bandwidth_bytes_total',
      help: 'Body bytes, by route and direction (ingress from clients, egress to clients)',
      labelNames: [...WRS, 'direction'],
      registry,
    });
    this.limitRejections = new client.Counter({
      name: 'keyway_rate_limit_rejections_total',
      help: 'Requests refused with 429, by route and error code (`upstream`: the upstream answered 429)',
      labelNames: withConsumer([...WRS, 'code']),
      registers,
    });
    this.authFailures = new client.Counter({
      name: 'keyway_auth_failures_total',
      help: 'Requests refused by authentication, by route and reason',
      labelNames: [...WRS, 'reason'],
      registers,
    });
    this.accessDecisions = new client.Counter({
      name: 'keyway_access_decisions_total',
      help: 'Access checks that denied a request, or would have in shadow mode, by route, check and effect',
      labelNames: [...WRS, 'check', 'effect'],
      registers,
    });
    this.upstreamFailures = new client.Counter({
      name: 'keyway_upstream_failures_total',
      help: 'Failed upstream attempts (refused, reset, timed out), by service, target and error code',
      labelNames: ['workspace', 'service', 'target', 'code'],
      registers,
    });
    this.aiTokens = new client.Counter({
      name: 'keyway_ai_tokens_total',
      help: 'AI tokens, by provider (as configured), model and direction (input: prompt, output: completion)',
      labelNames: withConsumer(['workspace', 'provider', 'model', 'direction']),
      registers,
    });
    this.aiCost = new client.Counter({
      name: 'keyway_ai_cost_total',
      help: 'AI spend in US dollars (USD), priced from the provider price table as budgets are, by provider and model',
      labelNames: withConsumer(['workspace', 'provider', 'model']),
      registers,
    });

    const upstreamTargets = gauges.upstreamTargets;
    if (upstreamTargets !== undefined) {
      new client.Gauge({
        name: 'keyway_upstream_requests_in_flight',
        help: 'Requests sent to an upstream target and not yet answered, by service and target',
        labelNames: ['workspace', 'service', 'target'],
        registers,
        collect() {
          this.reset();
          for (const t of upstreamTargets())
            this.inc({ workspace: t.workspace, service: t.service, target: t.target }, t.inFlight);
        },
      });
      new client.Gauge({
        name: 'keyway_upstream_target_health',
        help: 'Health of each upstream target: 1 for its state (healthchecks_off until health checks are configured), 0 for the others',
        labelNames: ['workspace', 'service', 'target', 'state'],
        registers,
        collect() {
          this.reset();
          for (const t of upstreamTargets())
            for (const state of TARGET_HEALTH_STATES)
              this.set(
                { workspace: t.workspace, service: t.service, target: t.target, state },
                t.health === state ? 1 : 0,
              );
        },
      });
    }
    const upstreamPools = gauges.upstreamPools;
    if (upstreamPools !== undefined) {
      new client.Gauge({
        name: 'keyway_upstream_connections',
        help: 'Connections open to each upstream target (the pool every service reaching it shares), by state: active (carrying a request) or idle (kept alive)',
        labelNames: ['target', 'state'],
        registers,
        collect() {
          this.reset();
          for (const p of upstreamPools()) {
            this.inc({ target: p.target, state: 'active' }, p.busy);
            this.inc({ target: p.target, state: 'idle' }, Math.max(0, p.open - p.busy));
          }
        },
      });
    }
    const proxyLoad = gauges.proxyLoad;
    if (proxyLoad !== undefined) {
      new client.Gauge({
        name: 'keyway_proxy_connections',
        help: 'Client connections open on the proxy listeners',
        registers,
        collect() {
          this.set(proxyLoad()?.connections ?? 0);
        },
      });
      new client.Gauge({
        name: 'keyway_proxy_requests_in_flight',
        help: 'Requests the proxy listeners are answering now',
        registers,
        collect() {
          this.set(proxyLoad()?.inFlight ?? 0);
        },
      });
    }
    if (consumers !== undefined) {
      const limit = consumers.limit;
      new client.Counter({
        name: 'keyway_metrics_consumers_folded_total',
        help: `Calls whose consumer label was folded into "other": more than ${limit} distinct consumers (KEYWAY_METRICS_CONSUMER_LABEL_LIMIT)`,
        registers,
        collect() {
          this.reset();
          this.inc(consumers.folded);
        },
      });
      new client.Gauge({
        name: 'keyway_metrics_consumer_label_values',
        help: `Distinct consumers with a consumer label value of their own (at most ${limit})`,
        registers,
        collect() {
          this.set(consumers.distinct);
        },
      });
    }

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
    new client.Counter({
      name: 'keyway_call_records_dropped_total',
      help: 'Call records lost since start: refused by the full buffer, or not taken by a sink (counted per sink)',
      registers,
      collect() {
        // The node's own count only grows; the counter takes it as it is at each scrape.
        this.reset();
        this.inc(gauges.recordsDropped());
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
      const labels = { workspace: route.workspace, service: route.service.name, route: route.name };
      c = {
        latency: this.latency.labels(labels),
        upstream: this.upstream.labels(labels),
        bytesIn: this.bandwidth.labels({ ...labels, direction: 'ingress' }),
        bytesOut: this.bandwidth.labels({ ...labels, direction: 'egress' }),
        byStatus: new Map(),
        byConsumer: this.consumers === undefined ? undefined : new Map(),
        other: undefined,
      };
      this.byRoute.set(route, c);
    }
    return c;
  }

  /**
   * One answered request on a route. Returns the call's `consumer` label value for the per-call metrics
   * that carry it too ('' when the label is off or no consumer was identified).
   */
  observe(
    route: CompiledRoute,
    status: number,
    latencyMs: number,
    upstreamMs: number,
    bytesIn: number,
    bytesOut: number,
    consumer: string | undefined,
  ): string {
    const c = this.children(route);
    let statuses = c.byStatus;
    let who = '';
    const byConsumer = c.byConsumer;
    if (byConsumer !== undefined) {
      const s = this.consumerSeries(route, c, byConsumer, consumer ?? '');
      statuses = s.byStatus;
      who = s.label;
    }
    let counter = statuses.get(status);
    if (counter === undefined) {
      const labels: Record<string, string> = {
        workspace: route.workspace,
        service: route.service.name,
        route: route.name,
        status: String(status),
      };
      if (byConsumer !== undefined) labels['consumer'] = who;
      counter = this.requests.labels(labels);
      statuses.set(status, counter);
    }
    counter.value++;
    c.latency.observe(latencyMs);
    if (upstreamMs >= 0) c.upstream.observe(upstreamMs);
    if (bytesIn > 0) c.bytesIn.value += bytesIn;
    if (bytesOut > 0) c.bytesOut.value += bytesOut;
    return who;
  }

  /** An admitted consumer's series are kept on the route; a folded one's are `other`'s (asked every call). */
  private consumerSeries(
    route: CompiledRoute,
    c: RouteChildren,
    byConsumer: Map<string, ConsumerSeries>,
    consumer: string,
  ): ConsumerSeries {
    const known = byConsumer.get(consumer);
    if (known !== undefined) return known;
    const label = (this.consumers as ConsumerLabels).label(route.workspace, consumer);
    if (label === consumer) {
      const s = { label, byStatus: new Map<number, CounterSeries>() };
      byConsumer.set(consumer, s);
      return s;
    }
    c.other ??= { label, byStatus: new Map() };
    return c.other;
  }

  unroutedRequest(status: number): void {
    this.unrouted.inc({ status: String(status) });
  }

  /** A 429 on a route; `consumer` is what `observe` returned for the call. */
  rateLimited(route: CompiledRoute, code: string, consumer: string): void {
    const labels: Record<string, string> = { ...routeLabels(route), code };
    if (this.consumers !== undefined) labels['consumer'] = consumer;
    this.limitRejections.inc(labels);
  }

  authFailed(route: CompiledRoute, reason: string): void {
    this.authFailures.inc({ ...routeLabels(route), reason });
  }

  /** One access decision (`effect`: deny, or shadow for a check that only records). */
  accessDecided(route: CompiledRoute, check: string, effect: string): void {
    this.accessDecisions.inc({ ...routeLabels(route), check, effect });
  }

  upstreamFailed(workspace: string, service: string, target: string, code: string): void {
    this.upstreamFailures.inc({ workspace, service, target, code });
  }

  /** The tokens and spend of one AI call (once per call, however it ended: engine/usage.ts). */
  aiUsed(workspace: string, usage: AiUsage, consumer: string): void {
    const base: Record<string, string> = { workspace, provider: usage.provider, model: usage.model };
    if (this.consumers !== undefined) base['consumer'] = consumer;
    if (usage.tokensIn > 0) this.aiTokens.inc({ ...base, direction: 'input' }, usage.tokensIn);
    if (usage.tokensOut > 0) this.aiTokens.inc({ ...base, direction: 'output' }, usage.tokensOut);
    if (usage.cost !== undefined && usage.cost > 0) this.aiCost.inc(base, usage.cost);
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

function routeLabels(route: CompiledRoute): { workspace: string; service: string; route: string } {
  return { workspace: route.workspace, service: route.service.name, route: route.name };
}
