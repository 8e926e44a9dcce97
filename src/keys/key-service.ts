/**
 * Issuing and managing API keys: the admin API, the CLI (through it) and the declarative import all come
 * here. A new key is returned once, in the answer to the call that made it; afterwards only its record
 * (visible id, scopes, state — never the hash) can be read. Changes evict the key from this node's resolver
 * caches at once and tells `onEvict` listeners (the cluster's change events reach other nodes at once);
 * nodes that miss the event evict through the store's change feed.
 */
import { randomUUID } from 'node:crypto';
import { KeywayError, validationError, type ErrorDetail } from '../core/errors.js';
import { keyIpProblems } from './key-ip-rules.js';
import { validate } from '../core/validator.js';
import type { Stored } from '../model/index.js';
import type { NewApiKey, Page, Store, StoredApiKey } from '../store/types.js';
import type { ApiKeyResolver } from './api-key-resolver.js';
import { checkKey, generateKey, isKeywayFormat, visibleIdOf } from './key-format.js';
import {
  createKeyBody,
  importKeyBody,
  rotateKeyBody,
  type CreateKeyInput,
  type ImportKeyInput,
  type KeyFields,
  type RotateKeyInput,
} from './key-schemas.js';

/** A key as the admin API shows it: no hash, the app's name, and its state now. */
export type ApiKeyView = Omit<StoredApiKey, 'hash'> & {
  app: string;
  /** `grace`: rotated, still valid until `grace_until`; `expired` includes a finished grace period. */
  state: 'active' | 'grace' | 'expired' | 'revoked';
};

export interface IssuedKey {
  /** The key in clear: shown this once. */
  key: string;
  record: ApiKeyView;
}

export class KeyService {
  constructor(
    private readonly store: Store,
    private readonly resolver: ApiKeyResolver,
    private readonly now: () => number = Date.now,
  ) {}

  readonly #evictListeners: Array<(hashes: string[]) => void> = [];

  hash(key: string): string {
    return this.resolver.hash(key);
  }

  /** Hears every key this service changed, after the store committed it (src/cluster/ publishes them). */
  onEvict(listener: (hashes: string[]) => void): void {
    this.#evictListeners.push(listener);
  }

  forget(hash: string): void {
    this.#evict(hash);
  }

  async create(workspace: string, appRef: string, body: unknown, actor: string): Promise<IssuedKey> {
    const input = parse<CreateKeyInput>(createKeyBody, body ?? {});
    refuseProblems(expiryProblems(input, this.now()));
    const app = await this.app(workspace, appRef);
    const key = generateKey(input.env ?? 'live');
    const [created] = await this.store.createApiKeys([this.newKey(workspace, app, key, input)], actor);
    if (created === undefined) throw new KeywayError('KW_ERR_INTERNAL');
    this.#evict(created.hash);
    return { key, record: this.view(created, app.name) };
  }

  async import(workspace: string, appRef: string, body: unknown, actor: string): Promise<ApiKeyView> {
    const input = parse<ImportKeyInput>(importKeyBody, body);
    refuseProblems(expiryProblems(input, this.now()));
    // A key in Keyway's format must carry a valid checksum, or the resolver's fast path would refuse it.
    if (isKeywayFormat(input.key) && checkKey(input.key) === undefined) {
      throw validationError([{ path: '/key', message: 'starts with kw_ but is not a valid Keyway key' }]);
    }
    const app = await this.app(workspace, appRef);
    const [created] = await this.store.createApiKeys(
      [this.newKey(workspace, app, input.key, input, 'imported')],
      actor,
    );
    if (created === undefined) throw new KeywayError('KW_ERR_INTERNAL');
    this.#evict(created.hash);
    return this.view(created, app.name);
  }

  async list(
    workspace: string,
    query: { app?: string; limit?: number; after?: string },
  ): Promise<Page<ApiKeyView>> {
    const app = query.app === undefined ? undefined : await this.app(workspace, query.app);
    const page = await this.store.listApiKeys(workspace, {
      ...(app === undefined ? {} : { app_id: app.id }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
      ...(query.after === undefined ? {} : { after: query.after }),
    });
    const names = app === undefined ? await this.appNames(workspace) : new Map([[app.id, app.name]]);
    return { ...page, data: page.data.map((k) => this.view(k, names.get(k.app_id) ?? k.app_id)) };
  }

  async get(workspace: string, id: string): Promise<ApiKeyView> {
    const key = await this.store.getApiKey(workspace, id);
    if (key === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'key', name: id });
    return this.view(key, (await this.appNames(workspace)).get(key.app_id) ?? key.app_id);
  }

  async revoke(workspace: string, id: string, actor: string): Promise<ApiKeyView> {
    const key = await this.store.revokeApiKey(workspace, id, actor);
    this.#evict(key.hash);
    return this.view(key, (await this.appNames(workspace)).get(key.app_id) ?? key.app_id);
  }

  async rotate(
    workspace: string,
    id: string,
    body: unknown,
    actor: string,
  ): Promise<IssuedKey & { previous: ApiKeyView }> {
    const input = parse<RotateKeyInput>(rotateKeyBody, body ?? {});
    const old = await this.store.getApiKey(workspace, id);
    if (old === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'key', name: id });
    // The new key keeps the old one's expiry: from an expired key it would be born expired.
    if (old.expires_at !== undefined && Date.parse(old.expires_at) <= this.now()) {
      throw new KeywayError('KW_ERR_CONFLICT', {
        reason: `key ${id} expired at ${old.expires_at} and cannot be rotated; create a new key`,
      });
    }
    const app = await this.app(workspace, old.app_id);
    // Same app, scopes, metadata, tier and expiry; a fresh Keyway key even when the old one was imported.
    const key = generateKey(old.env);
    const fields: KeyFields = {};
    if (old.scopes !== undefined) fields.scopes = old.scopes;
    if (old.metadata !== undefined) fields.metadata = old.metadata;
    if (old.tier !== undefined) fields.tier = old.tier;
    if (old.expires_at !== undefined) fields.expires_at = old.expires_at;
    const graceUntil = new Date(this.now() + (input.grace_period_s ?? 86_400) * 1000).toISOString();
    const { previous, current } = await this.store.rotateApiKey(
      workspace,
      id,
      this.newKey(workspace, app, key, fields),
      graceUntil,
      actor,
    );
    this.#evict(previous.hash, current.hash);
    return { key, record: this.view(current, app.name), previous: this.view(previous, app.name) };
  }

  /** The record a declarative `apps[].keys` entry would insert (validated by the caller). */
  importRecord(workspace: string, app: Stored<'apps'>, input: ImportKeyInput): NewApiKey {
    return this.newKey(workspace, app, input.key, input, 'imported');
  }

  view(key: StoredApiKey, app: string): ApiKeyView {
    const { hash: _hash, ...rest } = key;
    return { ...rest, app, state: stateOf(key, this.now()) };
  }

  private newKey(
    workspace: string,
    app: Stored<'apps'>,
    key: string,
    fields: KeyFields,
    source: 'generated' | 'imported' = 'generated',
  ): NewApiKey {
    const details = [...scopeProblems(app, fields.scopes), ...keyIpProblems(fields.metadata)];
    if (details.length > 0) throw validationError(details);
    const record: NewApiKey = {
      id: randomUUID(),
      workspace,
      app_id: app.id,
      hash: this.resolver.hash(key),
      visible_id: visibleIdOf(key),
      env: checkKey(key) ?? 'live',
      source,
    };
    if (fields.scopes !== undefined) record.scopes = fields.scopes;
    if (fields.metadata !== undefined) record.metadata = fields.metadata;
    if (fields.tier !== undefined) record.tier = fields.tier;
    if (fields.expires_at !== undefined) record.expires_at = new Date(fields.expires_at).toISOString();
    else if (fields.expires_in_s !== undefined)
      record.expires_at = new Date(this.now() + fields.expires_in_s * 1000).toISOString();
    return record;
  }

  #evict(...hashes: string[]): void {
    for (const h of hashes) this.resolver.evict(h);
    for (const listener of this.#evictListeners) listener(hashes);
  }

  private async app(workspace: string, ref: string): Promise<Stored<'apps'>> {
    const app = await this.store.read(async (tx) => {
      if ((await tx.getWorkspace(workspace)) === undefined)
        throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'workspace', name: workspace });
      return tx.get('apps', workspace, ref);
    });
    if (app === undefined) throw new KeywayError('KW_ERR_NOT_FOUND', { kind: 'app', name: ref });
    return app;
  }

  private async appNames(workspace: string): Promise<Map<string, string>> {
    const state = await this.store.read((tx) => tx.loadWorkspace(workspace));
    return new Map((state?.apps ?? []).map((a) => [a.id, a.name]));
  }
}

/** A key may not carry scopes its app may not use (the identity would drop them silently). */
export function scopeProblems(app: Stored<'apps'>, scopes: string[] | undefined, base = ''): ErrorDetail[] {
  if (scopes === undefined || app.scopes === undefined) return [];
  const allowed = new Set(app.scopes);
  return scopes
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => !allowed.has(s))
    .map(({ s, i }) => ({
      path: `${base}/scopes/${i}`,
      message: `scope "${s}" is not among app "${app.name}"'s scopes`,
    }));
}

/**
 * A key whose `expires_at` has already passed could never be used: refusing it at creation (rather than
 * answering 201 and then 401 on every call) tells the operator at once that the date is wrong.
 */
export function expiryProblems(fields: KeyFields, now: number, base = ''): ErrorDetail[] {
  if (fields.expires_at === undefined || Date.parse(fields.expires_at) > now) return [];
  return [{ path: `${base}/expires_at`, message: 'is in the past: the key would never work' }];
}

function refuseProblems(details: ErrorDetail[]): void {
  if (details.length > 0) throw validationError(details);
}

function stateOf(key: StoredApiKey, now: number): ApiKeyView['state'] {
  if (key.status === 'revoked') return 'revoked';
  if (key.expires_at !== undefined && Date.parse(key.expires_at) <= now) return 'expired';
  if (key.grace_until !== undefined) return Date.parse(key.grace_until) <= now ? 'expired' : 'grace';
  return 'active';
}

function parse<T>(schema: object, body: unknown): T {
  const copy: unknown = structuredClone(body);
  const details = validate(schema, copy);
  if (details.length > 0) throw validationError(details);
  return copy as T;
}
