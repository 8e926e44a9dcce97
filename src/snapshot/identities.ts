/**
 * Who can be identified in one workspace: consumers and their apps, indexed by every handle a
 * credential can resolve to (id, username, custom id, OAuth client id, certificate fingerprint, subject,
 * SAN). Built once per snapshot; auth plugins receive it at create time and look up on the hot path.
 */
import type { Plan, Stored, WorkspaceState } from '../model/index.js';
import type { AppEntry, ConsumerEntry, Identities, Identity } from '../pipeline/identity.js';
import { runNow, type Work } from './slices.js';

export class IdentityIndex implements Identities {
  readonly consumerById = new Map<string, ConsumerEntry>();
  readonly consumerByUsername = new Map<string, ConsumerEntry>();
  readonly consumerByCustomId = new Map<string, ConsumerEntry>();
  readonly appById = new Map<string, AppEntry>();
  readonly appByName = new Map<string, AppEntry>();
  readonly appByClientId = new Map<string, AppEntry>();
  /** Lowercase hex without colons. */
  readonly appByFingerprint = new Map<string, AppEntry>();
  readonly appBySubject = new Map<string, AppEntry>();
  readonly appBySan = new Map<string, AppEntry>();
  /** Plans by name: limits travel with the snapshot, so a changed plan applies to the next request. */
  readonly planByName = new Map<string, Plan>();

  static empty(): IdentityIndex {
    return new IdentityIndex();
  }

  static build(ws: Pick<WorkspaceState, 'consumers' | 'apps'> & { plans?: Plan[] }): IdentityIndex {
    return runNow(IdentityIndex.building(ws));
  }

  /** `build` as a sliceable step: yields after each consumer and app. */
  static *building(ws: Pick<WorkspaceState, 'consumers' | 'apps'> & { plans?: Plan[] }): Work<IdentityIndex> {
    const idx = new IdentityIndex();
    for (const p of ws.plans ?? []) idx.planByName.set(p.name, p);
    for (const c of ws.consumers) {
      idx.addConsumer(c);
      yield;
    }
    for (const a of ws.apps) {
      idx.addApp(a);
      yield;
    }
    return idx;
  }

  /**
   * The identity an auth plugin falls back to (`anonymous: <username>`). A name that matches no consumer is
   * a configuration error, thrown at plugin create time so the change naming it is refused; a disabled
   * consumer gives no fallback (the caller gets 401).
   */
  anonymous(username: string | undefined): Identity | undefined {
    if (username === undefined) return undefined;
    const c = this.consumerByUsername.get(username);
    if (c === undefined) throw new Error(`anonymous: consumer "${username}" does not exist`);
    return c.enabled ? this.consumerIdentity(c, { attributes: { anonymous: true } }) : undefined;
  }

  /** The identity of a consumer acting without an app (JWT `sub` mapping, anonymous fallback). */
  consumerIdentity(c: ConsumerEntry, extra: Partial<Identity> = {}): Identity {
    const identity: Identity = { consumerId: c.id, consumerName: c.username, tags: [...c.tags], ...extra };
    return withRoles(identity, c.groups, extra.roles);
  }

  /** The identity of an app's credential; `scopes` are narrowed to what the app may use. */
  appIdentity(app: AppEntry, extra: Partial<Identity> = {}): Identity {
    const identity: Identity = {
      consumerId: app.consumer.id,
      consumerName: app.consumer.username,
      appId: app.id,
      appName: app.name,
      tags: [...app.consumer.tags, ...app.tags],
      ...extra,
    };
    if (identity.scopes !== undefined && app.scopes !== undefined) {
      identity.scopes = identity.scopes.filter((s) => app.scopes?.has(s) === true);
    }
    return withRoles(identity, [...app.consumer.groups, ...app.roles], extra.roles);
  }

  private addConsumer(c: Stored<'consumers'>): void {
    const entry: ConsumerEntry = {
      id: c.id,
      username: c.username,
      customId: c.custom_id,
      enabled: c.enabled !== false,
      tags: c.tags ?? [],
      plan: c.plan,
      groups: c.groups ?? [],
    };
    this.consumerById.set(c.id, entry);
    this.consumerByUsername.set(c.username, entry);
    if (c.custom_id !== undefined) this.consumerByCustomId.set(c.custom_id, entry);
  }

  private addApp(a: Stored<'apps'>): void {
    const consumer = this.consumerByUsername.get(a.consumer);
    if (consumer === undefined) return;
    const entry: AppEntry = {
      id: a.id,
      name: a.name,
      consumer,
      enabled: a.enabled !== false && consumer.enabled,
      scopes: a.scopes === undefined ? undefined : new Set(a.scopes),
      tags: a.tags ?? [],
      plan: a.plan,
      roles: a.roles ?? [],
    };
    this.appById.set(a.id, entry);
    this.appByName.set(a.name, entry);
    for (const id of a.client_ids ?? []) this.appByClientId.set(id, entry);
    for (const fp of a.certificates?.sha256_fingerprints ?? [])
      this.appByFingerprint.set(normalizeFingerprint(fp), entry);
    for (const s of a.certificates?.subjects ?? []) this.appBySubject.set(s, entry);
    for (const s of a.certificates?.sans ?? []) this.appBySan.set(s, entry);
  }
}

/** `identity` holding `granted` and `more` (a token's roles), each once; no roles at all stays undefined. */
function withRoles(
  identity: Identity,
  granted: readonly string[],
  more: readonly string[] | undefined,
): Identity {
  if (granted.length === 0 && more === undefined) {
    delete identity.roles;
    return identity;
  }
  identity.roles = [...new Set([...granted, ...(more ?? [])])];
  return identity;
}

export function normalizeFingerprint(fp: string): string {
  return fp.replace(/:/g, '').toLowerCase();
}
