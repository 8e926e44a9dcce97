/**
 * "Would this request be allowed, and why": `POST /explain` and `keyway explain` (docs/access-control.md).
 * Answered from the snapshot the node is serving, without sending traffic: the route the router matches,
 * the identity the key (or consumer, or app) stands for, the key's own address rules, then each `authorize`
 * check of the route — the ip-restriction, acl and access-rules plugins and any other (a subscription
 * check) — run on a request made of the given method, path, headers and client address. Each check's
 * outcome is told, and the plugins and plan that would count the request. Never holds a secret: a key is
 * named by its id, and its hash never leaves the store.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isKeywayError } from '../core/errors.js';
import { keyIpRefusal, keyIpRules } from '../keys/key-ip-rules.js';
import { planOf } from '../limits/plan-resolver.js';
import { RequestContext } from '../pipeline/context.js';
import type { AccessDecision } from '../pipeline/facts.js';
import type { Identities, Identity } from '../pipeline/identity.js';
import type { ApiKeyFacts } from '../pipeline/services.js';
import { keyIdentity } from '../plugins/key-auth/key-identity.js';
import type { Snapshot } from '../snapshot/compile.js';

export interface ExplainInput {
  method: string;
  path: string;
  host?: string;
  headers?: Record<string, string>;
  client_ip?: string;
  /** Who calls: one of a key (by id), an app or a consumer (by name); none: without a credential. */
  key?: (ApiKeyFacts & { state: string }) | undefined;
  app?: string;
  consumer?: string;
}

export interface ExplainStep {
  /** `route`, `identity`, `ip:key`, or the plugin whose authorize check this is. */
  check: string;
  outcome: 'pass' | 'deny' | 'shadow' | 'skipped';
  reason: string;
  /** The decisions the check left (deny or shadow), as the call record would show them. */
  decisions?: AccessDecision[];
  /** The error code the client would get. */
  code?: string;
}

export interface Explanation {
  allowed: boolean;
  config_version: number;
  route: { name: string; service: string; params: Record<string, string | undefined> } | null;
  identity: {
    consumer: string;
    app: string | null;
    credential: string | null;
    roles: string[];
    scopes: string[] | null;
    plan: string | null;
  } | null;
  steps: ExplainStep[];
  /** The plugins on the route for this caller, by priority; the limit plugins among them count the request. */
  plugins: string[];
  limits: { plan: string | null; plugins: string[] };
}

const LIMIT_PLUGINS = new Set(['rate-limit', 'quota', 'concurrency']);

export async function explainRequest(
  snapshot: Snapshot,
  workspace: string,
  input: ExplainInput,
): Promise<Explanation> {
  const method = input.method.toUpperCase();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = v;
  if (input.host !== undefined) headers['host'] = input.host;
  const q = input.path.indexOf('?');
  const pathOnly = q < 0 ? input.path : input.path.slice(0, q);
  const steps: ExplainStep[] = [];
  const out: Explanation = {
    allowed: false,
    config_version: snapshot.version,
    route: null,
    identity: null,
    steps,
    plugins: [],
    limits: { plan: null, plugins: [] },
  };
  const match = snapshot.router.match(method, headers['host'], pathOnly, headers);
  if (match === undefined || match.route.workspace !== workspace) {
    steps.push({
      check: 'route',
      outcome: 'deny',
      reason: `no route of workspace "${workspace}" matches ${method} ${pathOnly}`,
      code: 'KW_ERR_NO_ROUTE',
    });
    return out;
  }
  const route = match.route;
  out.route = { name: route.name, service: route.service.name, params: match.params };
  steps.push({
    check: 'route',
    outcome: 'pass',
    reason: `route "${route.name}" of service "${route.service.name}"`,
  });

  const identities = snapshot.basis.workspaces.get(workspace)?.identities;
  const who = identities === undefined ? undefined : identify(identities, input, steps);
  if (who === null) return out;
  const identity = who?.identity;
  const clientIp = input.client_ip ?? '127.0.0.1';
  if (who?.keyIp !== undefined) {
    const off = keyIpRefusal(who.keyIp, clientIp);
    if (off !== undefined) {
      steps.push({ check: 'ip:key', outcome: 'deny', reason: off, code: 'KW_ERR_IP_DENIED' });
      return out;
    }
    steps.push({
      check: 'ip:key',
      outcome: 'pass',
      reason: `${clientIp} is allowed by the key's own address rules`,
    });
  }
  if (identity !== undefined && identities !== undefined) {
    const plan = planOf(identity, identities)?.name ?? null;
    out.identity = {
      consumer: identity.consumerName,
      app: identity.appName ?? null,
      credential: identity.credentialId ?? null,
      roles: identity.roles ?? [],
      scopes: identity.scopes ?? null,
      plan,
    };
    out.limits.plan = plan;
  }
  const phases =
    (identity === undefined ? undefined : route.consumerPhases?.get(identity.consumerId)) ?? route.phases;
  out.plugins = [...phases.plugins];
  out.limits.plugins = phases.plugins.filter((p) => LIMIT_PLUGINS.has(p));
  if (phases.identify.length > 0 && identity === undefined) {
    steps.push({
      check: 'identity',
      outcome: 'deny',
      reason: 'the route requires a credential; none was given (key, app or consumer)',
      code: 'KW_ERR_AUTH_MISSING',
    });
    return out;
  }

  // The auth plugins' required scopes (checked in `identify`): a key answers to key-auth's alone; an app or
  // consumer to each auth plugin of the route, as whichever credential it would present.
  if (identity !== undefined) {
    const held = new Set(identity.scopes ?? []);
    for (const { plugin, scopes } of phases.requiredScopes) {
      if (input.key !== undefined && plugin !== 'key-auth') continue;
      const missing = scopes.filter((sc) => !held.has(sc));
      if (missing.length === 0) {
        steps.push({ check: `scope (${plugin})`, outcome: 'pass', reason: `holds ${scopes.join(', ')}` });
        continue;
      }
      const reason = `${plugin} requires ${missing.join(', ')}, which the caller does not hold`;
      steps.push({
        check: `scope (${plugin})`,
        outcome: 'deny',
        reason,
        code: 'KW_ERR_FORBIDDEN',
        decisions: [{ check: 'scope', effect: 'deny', reason }],
      });
      return out;
    }
  }

  const req = { method, url: input.path, headers, socket: {} } as unknown as IncomingMessage;
  let denied = false;
  for (const [i, check] of phases.authorize.entries()) {
    const plugin = phases.authorizeBy[i] ?? 'authorize';
    if (denied) {
      steps.push({ check: plugin, outcome: 'skipped', reason: 'not reached: an earlier check denies' });
      continue;
    }
    const ctx = new RequestContext({
      req,
      res: {} as ServerResponse,
      requestId: 'explain',
      startedAt: 0n,
      clientIp,
      route: { ...route, phases },
      params: match.params,
      upstreamPath: pathOnly,
      upstreamQuery: q < 0 ? '' : input.path.slice(q),
      upstreamHeaders: {},
    });
    ctx.identity = identity;
    try {
      await check(ctx);
      const shadow = ctx.decisions ?? [];
      steps.push({
        check: plugin,
        outcome: shadow.length > 0 ? 'shadow' : 'pass',
        reason: shadow.length > 0 ? 'passes; in shadow mode it would have denied' : 'passes',
        ...(shadow.length > 0 ? { decisions: shadow } : {}),
      });
    } catch (err) {
      if (!isKeywayError(err)) throw err;
      denied = true;
      const decisions = ctx.decisions ?? [];
      steps.push({
        check: plugin,
        outcome: 'deny',
        reason: decisions.find((d) => d.effect === 'deny')?.reason ?? err.message,
        code: err.code,
        ...(decisions.length > 0 ? { decisions } : {}),
      });
    }
  }
  out.allowed = !denied;
  return out;
}

/** The caller the input names: undefined for none, null when it names nobody usable (a step says why). */
function identify(
  identities: Identities,
  input: ExplainInput,
  steps: ExplainStep[],
): { identity: Identity; keyIp?: ReturnType<typeof keyIpRules> } | undefined | null {
  const deny = (reason: string): null => {
    steps.push({ check: 'identity', outcome: 'deny', reason, code: 'KW_ERR_AUTH_INVALID' });
    return null;
  };
  if (input.key !== undefined) {
    const key = input.key;
    if (key.state !== 'active' && key.state !== 'grace') return deny(`key ${key.id} is ${key.state}`);
    const app = identities.appById.get(key.app_id);
    if (app === undefined) return deny(`key ${key.id}: its app is not in the served configuration`);
    if (!app.enabled) return deny(`key ${key.id}: app "${app.name}" or its consumer is disabled`);
    steps.push({
      check: 'identity',
      outcome: 'pass',
      reason: `key ${key.id} of app "${app.name}" (consumer "${app.consumer.username}")`,
    });
    return { identity: keyIdentity(key, app, identities), keyIp: keyIpRules(key.metadata) };
  }
  if (input.app !== undefined) {
    const app = identities.appByName.get(input.app);
    if (app === undefined) return deny(`app "${input.app}" does not exist`);
    if (!app.enabled) return deny(`app "${app.name}" or its consumer is disabled`);
    steps.push({
      check: 'identity',
      outcome: 'pass',
      reason: `app "${app.name}" (consumer "${app.consumer.username}"), as any of its credentials`,
    });
    // As a key of the app without scopes of its own would be: the app's scopes, else its plan's.
    const identity = identities.appIdentity(app, app.scopes === undefined ? {} : { scopes: [...app.scopes] });
    if (identity.scopes === undefined) {
      const planScopes = planOf(identity, identities)?.scopes;
      if (planScopes !== undefined) identity.scopes = [...planScopes];
    }
    return { identity };
  }
  if (input.consumer !== undefined) {
    const c = identities.consumerByUsername.get(input.consumer);
    if (c === undefined) return deny(`consumer "${input.consumer}" does not exist`);
    if (!c.enabled) return deny(`consumer "${c.username}" is disabled`);
    steps.push({ check: 'identity', outcome: 'pass', reason: `consumer "${c.username}", without an app` });
    return { identity: identities.consumerIdentity(c) };
  }
  return undefined;
}
