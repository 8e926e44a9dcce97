/**
 * Who is calling: the identity an identify-phase plugin makes of a credential, and the directory of one
 * workspace's consumers and apps that auth plugins resolve credentials against (built per snapshot by
 * src/snapshot/identities.ts).
 */
import type { Plan } from '../model/index.js';

/** Who is calling, once an identify-phase plugin has recognised a credential. */
export interface Identity {
  consumerId: string;
  consumerName: string;
  appId?: string;
  appName?: string;
  credentialId?: string;
  scopes?: string[];
  /**
   * Roles the caller holds (docs/access-control.md): its consumer's groups, its app's roles, and those a
   * token's `roles_claim` grants. Undefined: none.
   */
  roles?: string[];
  tags?: string[];
  /** Anything else later phases may need (JWT claims, certificate subject, plan…). */
  attributes?: Record<string, unknown>;
  /**
   * The same (frozen) object serves every request of this credential while the snapshot lasts, so later
   * phases may remember things by it (src/limits/counter-keys.ts). key-auth's identities are; identities made
   * per request are not.
   */
  shared?: boolean;
}

export interface ConsumerEntry {
  id: string;
  username: string;
  customId: string | undefined;
  enabled: boolean;
  tags: readonly string[];
  /** Plan name (limits: src/limits/plan-resolver.ts). */
  plan: string | undefined;
  /** Groups: roles every credential of the consumer holds. */
  groups: readonly string[];
}

export interface AppEntry {
  id: string;
  name: string;
  consumer: ConsumerEntry;
  /** False when the app or its consumer is disabled. */
  enabled: boolean;
  /** Scopes the app may use, or undefined for no restriction. */
  scopes: ReadonlySet<string> | undefined;
  tags: readonly string[];
  plan: string | undefined;
  /** Roles the app's credentials hold, besides the consumer's groups. */
  roles: readonly string[];
}

/**
 * One workspace's consumers and apps, indexed by every handle a credential can resolve to (id, username,
 * custom id, OAuth client id, certificate fingerprint, subject, SAN), and its plans by name. What auth and
 * limit plugins get at create time (`PluginEnv.identities`); src/snapshot/identities.ts builds it.
 */
export interface Identities {
  readonly consumerById: ReadonlyMap<string, ConsumerEntry>;
  readonly consumerByUsername: ReadonlyMap<string, ConsumerEntry>;
  readonly consumerByCustomId: ReadonlyMap<string, ConsumerEntry>;
  readonly appById: ReadonlyMap<string, AppEntry>;
  readonly appByName: ReadonlyMap<string, AppEntry>;
  readonly appByClientId: ReadonlyMap<string, AppEntry>;
  /** Lowercase hex without colons. */
  readonly appByFingerprint: ReadonlyMap<string, AppEntry>;
  readonly appBySubject: ReadonlyMap<string, AppEntry>;
  readonly appBySan: ReadonlyMap<string, AppEntry>;
  /** Plans by name: limits travel with the snapshot, so a changed plan applies to the next request. */
  readonly planByName: ReadonlyMap<string, Plan>;
  /**
   * The identity an auth plugin falls back to (`anonymous: <username>`); throws for a name that matches no
   * consumer, gives none for a disabled one.
   */
  anonymous(username: string | undefined): Identity | undefined;
  /** The identity of a consumer acting without an app (JWT `sub` mapping, anonymous fallback). */
  consumerIdentity(c: ConsumerEntry, extra?: Partial<Identity>): Identity;
  /** The identity of an app's credential; `scopes` are narrowed to what the app may use. */
  appIdentity(app: AppEntry, extra?: Partial<Identity>): Identity;
}
