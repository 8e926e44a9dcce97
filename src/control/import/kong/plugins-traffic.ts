/**
 * Kong's rate-limiting, ip-restriction, response-transformer and request-termination → Keyway's
 * rate-limit (and quota), ip-restriction, response-headers, request-termination.
 */
import type { PluginOut } from './context.js';
import { showPath } from './input.js';
import type { PluginConfig } from './plugin-config.js';

const RATE_WINDOWS = [
  ['second', '1s'],
  ['minute', '1m'],
  ['hour', '1h'],
] as const;

/**
 * Kong counts fixed windows aligned to the clock (a client may get up to twice the limit across a
 * boundary); Keyway counts sliding windows (never more than the limit in any window of that length).
 * Kong's `day` and `month` are UTC calendar periods: Keyway's `quota` periods, exactly.
 */
export function rateLimiting(c: PluginConfig): PluginOut[] {
  const { cx, plugin } = c;
  // Kong keeps one counter across every route the plugin covers; Keyway keeps a config limit per
  // route, and a plan's limits across routes. So a plugin wider than one route becomes a plan that
  // its Keyway plugin applies to every caller (`config.plan`).
  const viaPlan = plugin.route === undefined;
  const by = counterKey(c, viaPlan);
  const limits: Record<string, unknown>[] = [];
  const quotas: Record<string, unknown>[] = [];
  const limitOf = (field: string): number | undefined => {
    const v = c.number(field);
    if (v === undefined) return undefined;
    if (v < 1) {
      cx.reader.fail(c.at(field), 'must be at least 1');
      return undefined;
    }
    return Math.trunc(v);
  };
  for (const [field, window] of RATE_WINDOWS) {
    const limit = limitOf(field);
    if (limit !== undefined) limits.push({ limit, window, ...by });
  }
  for (const period of ['day', 'month'] as const) {
    const limit = limitOf(period);
    if (limit !== undefined) quotas.push({ limit, period, ...by });
  }
  const year = limitOf('year');
  if (year !== undefined) {
    quotas.push({ limit: year, period: 'rolling', window: '365d', ...by });
    c.changed('year', 'Keyway has no calendar-year quota: counted over any 365 days (rolling)');
  }
  if (limits.length === 0 && quotas.length === 0) {
    c.dropped('sets none of second, minute, hour, day, month, year');
    return [];
  }
  if (limits.length > 0)
    c.changed(
      undefined,
      'Kong counts fixed clock windows (up to twice the limit across a boundary); Keyway counts sliding windows: never more than the limit in any second/minute/hour',
    );
  const policy = c.boolean('fault_tolerant') === false ? 'fail_closed' : 'fail_open';
  const hide = c.boolean('hide_client_headers') === true ? { hide_headers: true } : {};
  if (c.string('policy') === 'redis')
    c.changed(
      'policy',
      'Keyway shares counters through the node setting KEYWAY_REDIS_URL, not per plugin: the redis_* fields are not carried',
    );
  c.unsupported('error_code', 429, 'Keyway answers 429 KW_ERR_RATE_LIMITED');
  c.unsupported('error_message', 'API rate limit exceeded', 'Keyway answers with its own error body');
  if (viaPlan) {
    const scope = plugin.consumer ?? plugin.service ?? 'global';
    const name = cx.planNames.claim(undefined, `kong-rate-limiting-${scope}`, plugin.path, plugin.name);
    cx.plans.push({
      name,
      description: `Kong rate-limiting at ${showPath(plugin.path)}`,
      ...(limits.length > 0 ? { rate_limits: limits } : {}),
      ...(quotas.length > 0 ? { quotas } : {}),
    });
    const out: PluginOut[] = [];
    if (limits.length > 0) out.push({ name: 'rate-limit', config: { plan: name, policy, ...hide } });
    if (quotas.length > 0) out.push({ name: 'quota', config: { plan: name, policy } });
    return out;
  }
  const out: PluginOut[] = [];
  if (limits.length > 0) out.push({ name: 'rate-limit', config: { limits, policy, ...hide } });
  if (quotas.length > 0) out.push({ name: 'quota', config: { quotas, policy } });
  return out;
}

/** Kong `limit_by` → Keyway `by`. */
function counterKey(c: PluginConfig, viaPlan: boolean): { by: string[]; header?: string } {
  const limitBy = c.string('limit_by') ?? 'consumer';
  switch (limitBy) {
    case 'consumer':
      return { by: ['consumer'] };
    case 'credential':
      return { by: ['key'] };
    case 'ip':
      return { by: ['ip'] };
    case 'header': {
      const header = c.string('header_name');
      if (header === undefined) {
        c.cx.reader.fail(c.at('header_name'), 'is required with limit_by: header');
        return { by: ['ip'] };
      }
      return { by: ['header'], header };
    }
    case 'service':
      // Every caller shares one counter: the plan's (one plan per Kong plugin), or the route's.
      return { by: [viaPlan ? 'plan' : 'route'] };
    case 'path':
      c.changed('limit_by', 'Keyway keeps this counter per route, not per request path');
      return { by: ['route'] };
    case 'consumer-group':
      c.changed('limit_by', 'Keyway has no consumer groups: counted per consumer');
      return { by: ['consumer'] };
    default:
      c.cx.reader.fail(c.at('limit_by'), `is not a limit_by Kong knows ("${limitBy}")`);
      return { by: ['consumer'] };
  }
}

export function ipRestriction(c: PluginConfig): PluginOut[] {
  const allow = c.strings('allow');
  const deny = c.strings('deny');
  if (c.raw('whitelist') !== undefined || c.raw('blacklist') !== undefined)
    c.cx.reader.fail(
      c.at('whitelist'),
      'whitelist/blacklist are Kong 2.x fields: decK 3.x files use allow/deny',
    );
  if (allow.length === 0 && deny.length === 0) {
    c.dropped('neither allow nor deny lists an address');
    return [];
  }
  c.unsupported('status', 403, 'Keyway answers 403 KW_ERR_IP_DENIED');
  c.unsupported('message', null, 'Keyway answers with its own error body');
  return [
    {
      name: 'ip-restriction',
      config: { ...(allow.length ? { allow } : {}), ...(deny.length ? { deny } : {}) },
    },
  ];
}

/** `"name:value"` pairs of Kong's transformer plugins. */
function headerPairs(c: PluginConfig, section: string): [string, string][] {
  const group = c.raw(section);
  if (group === undefined || group === null) return [];
  const list = c.cx.reader.strings(c.at(section, 'headers'), (group as Record<string, unknown>)['headers']);
  const out: [string, string][] = [];
  list.forEach((pair, i) => {
    const at = pair.indexOf(':');
    if (at <= 0) c.cx.reader.fail(c.at(section, 'headers', i), 'must be "name:value"');
    else out.push([pair.slice(0, at).trim(), pair.slice(at + 1).trim()]);
  });
  return out;
}

/** Kong response-transformer: its header operations map to response-headers; body (JSON) edits do not. */
export function responseTransformer(c: PluginConfig): PluginOut[] {
  const remove =
    c.raw('remove') == null
      ? []
      : c.cx.reader.strings(
          c.at('remove', 'headers'),
          (c.raw('remove') as Record<string, unknown>)['headers'],
        );
  const set: Record<string, string> = {};
  const add: Record<string, string> = {};
  const added = headerPairs(c, 'add');
  const replaced = headerPairs(c, 'replace');
  for (const [n, v] of added) set[n] = v;
  for (const [n, v] of replaced) set[n] = v;
  for (const [n, v] of headerPairs(c, 'append')) add[n] = v;
  if (added.length > 0)
    c.changed(
      'add',
      'Keyway sets the header even when the upstream sent one (Kong added it only when absent)',
    );
  if (replaced.length > 0)
    c.changed(
      'replace',
      'Keyway sets the header even when the upstream sent none (Kong replaced it only when present)',
    );
  const rename = c.raw('rename') as Record<string, unknown> | null | undefined;
  if (Array.isArray(rename?.['headers']) && rename['headers'].length > 0)
    c.cx.report.dropped(c.at('rename', 'headers'), c.plugin.name, 'Keyway cannot rename a response header');
  for (const section of ['remove', 'rename', 'replace', 'add', 'append']) {
    const g = c.raw(section) as Record<string, unknown> | null | undefined;
    for (const field of ['json', 'json_types'])
      if (Array.isArray(g?.[field]) && g[field].length > 0)
        c.cx.report.dropped(c.at(section, field), c.plugin.name, 'Keyway does not edit response bodies');
  }
  if (remove.length === 0 && Object.keys(set).length === 0 && Object.keys(add).length === 0) {
    c.dropped('no header operation Keyway can carry');
    return [];
  }
  return [
    {
      name: 'response-headers',
      config: {
        ...(remove.length ? { remove } : {}),
        ...(Object.keys(set).length ? { set } : {}),
        ...(Object.keys(add).length ? { add } : {}),
      },
    },
  ];
}

export function requestTermination(c: PluginConfig): PluginOut[] {
  const config: Record<string, unknown> = { status_code: c.number('status_code') ?? 503 };
  const message = c.string('message');
  const body = c.string('body');
  const contentType = c.string('content_type');
  if (message !== undefined) config['message'] = message;
  if (body !== undefined) config['body'] = body;
  if (contentType !== undefined) config['content_type'] = contentType;
  c.unsupported('echo', false, 'Keyway does not echo the request back');
  c.unsupported('trigger', null, 'Keyway terminates every request of the route');
  return [{ name: 'request-termination', config }];
}
