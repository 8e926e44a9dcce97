/**
 * Tables of observability (migration 0005-observe), as Kysely sees them. The per-day record tables are
 * not listed: their names are built per day (record-tables.ts) and queried with `sql.table`.
 */
export interface CallRecordDayTable {
  /** `YYYYMMDD` (UTC) of a day whose record tables (`call_blocks_YYYYMMDD`, `call_block_keys_YYYYMMDD`) exist. */
  day: string;
}

/**
 * One rollup row: calls of one bucket (minute, hour or day) for one combination of dimensions. Absent
 * dimensions are '' (not null) so the unique key, and with it the additive upsert, works on both dialects.
 */
export interface RollupTable {
  grain: string;
  /** Bucket start, epoch ms. */
  bucket: number;
  workspace: string;
  service: string;
  route: string;
  consumer: string;
  app: string;
  /** AI calls: the provider and the provider's model that served them ('' for other calls). */
  provider: string;
  model: string;
  /** 1…5 for 1xx…5xx; 4 includes 499 (client closed). */
  status_class: number;
  count: number;
  latency_sum: number;
  upstream_sum: number;
  bytes_in: number;
  bytes_out: number;
  tokens_in: number;
  tokens_out: number;
  cost: number;
  h0: number;
  h1: number;
  h2: number;
  h3: number;
  h4: number;
  h5: number;
  h6: number;
  h7: number;
  h8: number;
  h9: number;
  h10: number;
  h11: number;
  h12: number;
  h13: number;
  h14: number;
  h15: number;
}

export interface AlertRuleTable {
  id: string;
  name: string;
  /** `error_rate` | `latency_p99` | `auth_failures` | `ai_budget` | `quota` | `new_network`. */
  kind: string;
  threshold: number;
  window_minutes: number;
  min_requests: number;
  /** JSON `{service?, route?, consumer?}` or, for auth_failures, `{per: 'ip'|'credential'}`. */
  scope: string;
  webhook_url: string;
  /** HMAC-SHA256 key for the webhook signature (never returned by the API). */
  secret: string;
  enabled: number;
  created_at: string;
  /** JSON of the kind's own settings (`new_network`: prefix lengths, look-back, learning); `{}` for others. */
  options: string;
}

export interface AlertEventTable {
  id: string;
  rule_id: string;
  rule_name: string;
  /** `firing` | `resolved`. */
  state: string;
  /** What was measured when the state changed (error rate in %, p99 in ms, failure count). */
  value: number;
  /** For auth_failures: the IP or credential id that crossed the threshold. */
  subject: string;
  at: string;
  /** HTTP status the webhook receiver answered (0: unreachable). */
  delivery_status: number;
}

/** Who runs a node-wide job (alert evaluation) until when: one holder among all nodes of a store. */
export interface LeaseTable {
  name: string;
  holder: string;
  /** Epoch ms. */
  until: number;
}

/**
 * Where a credential has been used from (src/observe/alerts/network-alerts.ts): one row per credential,
 * network and prefix setting, its `last_seen` moved forward at most once an hour per node.
 */
export interface CredentialNetworkTable {
  workspace: string;
  credential: string;
  /** The rule's prefix lengths, `24/48`: rules that cut addresses differently keep separate networks. */
  prefixes: string;
  /** `203.0.113.0/24`, `2001:db8:1::/48`. */
  network: string;
  /** Epoch ms. */
  first_seen: number;
  last_seen: number;
}

/**
 * When a credential was first seen calling (any network) since a rule with these prefix lengths existed:
 * the start of its learning time. Kept per prefix setting so that a rule cutting networks differently,
 * added later, learns first instead of telling every key's usual network as new.
 */
export interface CredentialSeenTable {
  workspace: string;
  credential: string;
  prefixes: string;
  first_seen: number;
}

export type ObserveTables = {
  call_record_days: CallRecordDayTable;
  call_rollups: RollupTable;
  alert_rules: AlertRuleTable;
  alert_events: AlertEventTable;
  observe_leases: LeaseTable;
  credential_networks: CredentialNetworkTable;
  credential_seen: CredentialSeenTable;
};
