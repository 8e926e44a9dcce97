/**
 * "A key used from a new network" (`new_network` rules). A credential's networks — client addresses cut
 * to a prefix, /24 and /48 by default (ip-network.ts) — live in the shared store (`credential_networks`,
 * `credential_seen`), so every node and every restart gives the same answer, over a look-back (30 days by
 * default) far longer than call records are kept (7 days by default: records could not answer it).
 *
 * Where it runs: on every node, on each call record as the record buffer keeps it (after the response is
 * sent), and only while a `new_network` rule exists. Each record with a credential costs a prefix cut and map
 * lookups (CheckedPairs): a (credential, network) pair this node checked in the last hour is skipped. Others
 * queue (bounded) for one async worker, which reads and writes rows by primary key (network-store.ts): about
 * 130 µs a new pair on SQLite, measured, and a few statements per pair per node per hour, not per call. A
 * scan of the record tables on the alert engine's timer was the other candidate: it needs the records in the
 * store (not a file or HTTP sink), a cursor that PostgreSQL's concurrently committed ids make unreliable, and
 * reads every record once more; this way needs none of that.
 *
 * When it fires: the network was never seen for the credential, or not within the rule's look-back, and
 * the credential is past learning — the network of its first call is never told, nor any network first
 * seen within `learning_hours` (24) of that call. Learning is per prefix setting, so a rule cutting
 * networks differently, added later, learns too instead of telling every key's usual network. Each rule
 * that matches (same prefix lengths, `scope.consumer`) gets one history row and webhook, with an id derived
 * from the credential, network and when it was last seen: nodes seeing the same new network at once send
 * one. It is an event, never resolved. The payload names the credential id (never the key), consumer, app,
 * network and client IP, and how many other networks the credential used within the look-back.
 */
import type { CallRecord } from '../records/call-record.js';
import type { ObserveDb } from '../store/observe-db.js';
import type { ActiveRule, ActiveRules } from './active-rules.js';
import { eventId, fireOnce, firingPayload } from './event-once.js';
import { networkOf } from './ip-network.js';
import { CredentialNetworks } from './network-store.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** A pair checked this recently (record time) is not checked again: `last_seen` is this precise. */
const RECHECK_MS = HOUR_MS;
/** Pairs remembered as checked, per node and prefix setting; beyond it all are forgotten (and checked again). */
const MAX_CHECKED = 100_000;

/**
 * (workspace, credential, network) → when this node last checked it (record time), as nested maps keyed
 * by the record's own strings: one concatenated key per record, built and hashed, measured 415 ns a
 * record on its own; with nested maps `add()` costs about 300–400 ns a record, prefix cut included
 * (the rollups' `add()`: 850 ns).
 */
class CheckedPairs {
  readonly #byWorkspace = new Map<string, Map<string, Map<string, number>>>();
  #size = 0;

  get(workspace: string, credential: string, network: string): number | undefined {
    return this.#byWorkspace.get(workspace)?.get(credential)?.get(network);
  }

  set(workspace: string, credential: string, network: string, at: number): void {
    if (this.#size >= MAX_CHECKED) {
      this.#byWorkspace.clear();
      this.#size = 0;
    }
    let creds = this.#byWorkspace.get(workspace);
    if (creds === undefined)
      this.#byWorkspace.set(workspace, (creds = new Map<string, Map<string, number>>()));
    let nets = creds.get(credential);
    if (nets === undefined) creds.set(credential, (nets = new Map<string, number>()));
    if (!nets.has(network)) this.#size++;
    nets.set(network, at);
  }

  delete(workspace: string, credential: string, network: string): void {
    if (this.#byWorkspace.get(workspace)?.get(credential)?.delete(network) === true) this.#size--;
  }
}

interface Prefixes {
  /** `24/48`: the key of the rule's networks in the store. */
  id: string;
  v4: number;
  v6: number;
  checked: CheckedPairs;
}

interface Sighting {
  prefixes: Prefixes;
  workspace: string;
  credential: string;
  consumer: string | null;
  app: string | null;
  network: string;
  ip: string;
  at: number;
}

export interface NetworkAlertsOptions {
  log: { warn(obj: object, msg: string): void };
  onError?: (err: unknown) => void;
  /** Pairs waiting for the store (default 10,000); beyond, they are skipped and checked when next seen. */
  maxPending?: number;
}

export class NetworkAlerts {
  #rules: readonly ActiveRule[] = [];
  #prefixes: readonly Prefixes[] = [];
  /** Consumers some rule watches; undefined when a rule watches everyone. */
  #consumers: ReadonlySet<string> | undefined;
  readonly #pending = new Map<string, Sighting>();
  #kickSoon: NodeJS.Immediate | undefined;
  #draining: Promise<void> | undefined;
  /** Pairs not checked because the queue was full (each is checked the next time it is seen). */
  skipped = 0;
  #skippedTold = 0;

  private readonly networks: CredentialNetworks;

  constructor(
    private readonly store: ObserveDb,
    active: ActiveRules,
    private readonly opts: NetworkAlertsOptions,
  ) {
    this.networks = new CredentialNetworks(store);
    active.subscribe((all) => {
      const rules = all.filter((r) => r.kind === 'new_network' && r.network !== undefined);
      // What was checked stays known across reloads, for the prefix settings still in use.
      const before = new Map(this.#prefixes.map((p) => [p.id, p]));
      const prefixes = new Map<string, Prefixes>();
      for (const r of rules) {
        const { ipv4_prefix: v4, ipv6_prefix: v6 } = r.network ?? { ipv4_prefix: 24, ipv6_prefix: 48 };
        const id = `${v4}/${v6}`;
        prefixes.set(id, before.get(id) ?? { id, v4, v6, checked: new CheckedPairs() });
      }
      this.#rules = rules;
      this.#prefixes = [...prefixes.values()];
      this.#consumers = rules.some((r) => r.scope.consumer === undefined)
        ? undefined
        : new Set(rules.map((r) => r.scope.consumer ?? ''));
    });
  }

  /** True while some rule watches networks: only then does a record need to be seen at all. */
  get watching(): boolean {
    return this.#prefixes.length > 0;
  }

  /** Sees call records: no I/O here, new pairs are queued and checked in the background. */
  add(batch: readonly Readonly<CallRecord>[]): void {
    for (const r of batch) this.note(r);
    if (this.#pending.size > 0) this.kick();
  }

  /** One call record (the record buffer's tap, for every record kept while `watching`). */
  note(r: Readonly<CallRecord>): void {
    const prefixes = this.#prefixes;
    if (prefixes.length === 0) return;
    if (r.credential === null || r.auth !== 'ok' || r.workspace === null) return;
    const consumers = this.#consumers;
    if (consumers !== undefined && !consumers.has(r.consumer ?? '')) return;
    const max = this.opts.maxPending ?? 10_000;
    for (const p of prefixes) {
      const network = networkOf(r.client_ip, p.v4, p.v6);
      if (network === undefined) continue;
      const checked = p.checked.get(r.workspace, r.credential, network);
      if (checked !== undefined && r.at - checked < RECHECK_MS) continue;
      if (this.#pending.size >= max) {
        this.skipped++;
        continue;
      }
      p.checked.set(r.workspace, r.credential, network, r.at);
      this.#pending.set(`${p.id}\u0000${r.workspace}\u0000${r.credential}\u0000${network}`, {
        prefixes: p,
        workspace: r.workspace,
        credential: r.credential,
        consumer: r.consumer,
        app: r.app,
        network,
        ip: r.client_ip,
        at: r.at,
      });
      // Checked after the current turn: the calls closing in this turn queue first, then one drain.
      this.#kickSoon ??= setImmediate(() => {
        this.#kickSoon = undefined;
        this.kick();
      });
    }
  }

  /** Resolves once every queued pair is checked and its alerts sent (shutdown, tests). */
  async idle(): Promise<void> {
    if (this.#kickSoon !== undefined) {
      clearImmediate(this.#kickSoon);
      this.#kickSoon = undefined;
      this.kick();
    }
    while (this.#draining !== undefined) await this.#draining;
  }

  private kick(): void {
    if (this.#draining !== undefined) return;
    this.#draining = this.drain().finally(() => {
      this.#draining = undefined;
      if (this.#pending.size > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (const [key, s] of this.#pending) {
      this.#pending.delete(key);
      try {
        await this.check(s);
      } catch (err) {
        s.prefixes.checked.delete(s.workspace, s.credential, s.network); // check it again when next seen
        this.opts.onError?.(err);
      }
    }
    if (this.skipped > this.#skippedTold) {
      this.opts.log.warn(
        { skipped: this.skipped - this.#skippedTold },
        'new-network checks skipped (queue full); each is checked when next seen',
      );
      this.#skippedTold = this.skipped;
    }
  }

  private async check(s: Sighting): Promise<void> {
    const k = {
      workspace: s.workspace,
      credential: s.credential,
      prefixes: s.prefixes.id,
      network: s.network,
    };
    const first = await this.networks.firstSeen(k, s.at);
    const last = await this.networks.touch(k, s.at);
    // The credential's first call: its network is what later ones are compared with.
    if (s.at <= first) return;
    let logged = false;
    for (const rule of this.#rules) {
      const o = rule.network;
      if (o === undefined || `${o.ipv4_prefix}/${o.ipv6_prefix}` !== s.prefixes.id) continue;
      if (rule.scope.consumer !== undefined && rule.scope.consumer !== s.consumer) continue;
      if (s.at - first < o.learning_hours * HOUR_MS) continue;
      const since = s.at - o.lookback_days * DAY_MS;
      if (last !== undefined && last >= since) continue;
      const previous = await this.networks.othersSince(k, since);
      const sent = await this.fire(rule, s, previous, last);
      if (sent && !logged) {
        logged = true;
        this.opts.log.warn(
          {
            workspace: s.workspace,
            credential: s.credential,
            consumer: s.consumer,
            app: s.app,
            network: s.network,
            client_ip: s.ip,
            previous_networks: previous,
          },
          'credential used from a new network',
        );
      }
    }
  }

  private fire(rule: ActiveRule, s: Sighting, previous: number, last: number | undefined): Promise<boolean> {
    const at = new Date(s.at).toISOString();
    const subject = `credential ${s.credential}, network ${s.network}`;
    const o = rule.network;
    const event = {
      id: eventId('net', [
        rule.id,
        s.workspace,
        s.credential,
        s.prefixes.id,
        s.network,
        String(last ?? 'never'),
      ]),
      rule_id: rule.id,
      rule_name: rule.name,
      state: 'firing',
      value: previous,
      subject,
      at,
      delivery_status: 0,
    };
    const payload = {
      ...firingPayload(rule, previous, subject),
      network: {
        workspace: s.workspace,
        credential: s.credential,
        consumer: s.consumer,
        app: s.app,
        network: s.network,
        client_ip: s.ip,
        previous_networks: previous,
        last_seen: last === undefined ? null : new Date(last).toISOString(),
        lookback_days: o?.lookback_days,
      },
      at,
    };
    return fireOnce(this.store, event, rule, payload);
  }
}
