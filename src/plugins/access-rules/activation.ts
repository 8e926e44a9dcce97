/**
 * The variables of one request, as attribute rules see them (docs/access-control.md has the reference).
 * Built per request, and only the variables the route's rules read (cel-env.ts finds them): a rule on the
 * plan and the clock costs no header map, no query parse.
 */
import type { RequestContext } from '../../pipeline/context.js';
import type { Identities } from '../../pipeline/identity.js';
import type { CountryLookup } from '../../pipeline/services.js';
import { planOf } from '../../limits/plan-resolver.js';
import type { RuleVariable } from './cel-env.js';

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});
const NONE: readonly string[] = Object.freeze([]);

/**
 * What a route's rules read: which variables, and whether `request` needs its headers, query and country
 * (a GeoIP lookup: only routes whose rules read it pay for one).
 */
export interface Needs {
  vars: ReadonlySet<RuleVariable>;
  headers: boolean;
  query: boolean;
  country: boolean;
}

export function buildActivation(
  ctx: RequestContext,
  needs: Needs,
  identities: Identities,
  now: () => number,
  geoip?: CountryLookup,
): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  const id = ctx.identity;
  const attrs = id?.attributes;
  const v = needs.vars;
  if (v.has('request')) {
    const request: Record<string, unknown> = {
      method: ctx.req.method ?? 'GET',
      path: pathOf(ctx.req.url),
      params: ctx.params,
      ip: ctx.clientIp,
    };
    // Node lowercases header names; a repeated header is a list (set-cookie) or joined with ", ".
    if (needs.headers) request['headers'] = ctx.req.headers;
    if (needs.query) request['query'] = queryOf(ctx.req.url);
    // ctx.clientIp honours trusted_proxies; no database configured: every country is unknown ('').
    if (needs.country) request['country'] = geoip?.country(ctx.clientIp) ?? '';
    vars['request'] = request;
  }
  if (v.has('consumer')) {
    const c = id === undefined ? undefined : identities.consumerById.get(id.consumerId);
    vars['consumer'] =
      c === undefined
        ? EMPTY
        : {
            id: c.id,
            username: c.username,
            ...(c.customId === undefined ? {} : { custom_id: c.customId }),
            groups: c.groups,
            tags: c.tags,
            ...(c.plan === undefined ? {} : { plan: c.plan }),
          };
  }
  if (v.has('app')) {
    const a = id?.appId === undefined ? undefined : identities.appById.get(id.appId);
    vars['app'] =
      a === undefined
        ? EMPTY
        : {
            id: a.id,
            name: a.name,
            roles: a.roles,
            tags: a.tags,
            ...(a.plan === undefined ? {} : { plan: a.plan }),
          };
  }
  // The plan the limits use: key tier > subscription > app > consumer (src/limits/plan-resolver.ts).
  if (v.has('plan')) vars['plan'] = planOf(id, identities, ctx.subscriptionPlan)?.name ?? '';
  if (v.has('subscription')) vars['subscription'] = ctx.subscription ?? EMPTY;
  if (v.has('key')) {
    // key-auth's identities: the credential id is the key's id, and the attributes carry the rest.
    vars['key'] =
      attrs?.['key_env'] === undefined
        ? EMPTY
        : {
            id: id?.credentialId ?? '',
            env: attrs['key_env'],
            ...(attrs['tier'] === undefined ? {} : { tier: attrs['tier'] }),
            metadata: attrs['metadata'] ?? EMPTY,
          };
  }
  if (v.has('claims')) vars['claims'] = asMap(attrs?.['claims']);
  if (v.has('cert')) vars['cert'] = asMap(attrs?.['certificate']);
  if (v.has('roles')) vars['roles'] = id?.roles ?? NONE;
  if (v.has('scopes')) vars['scopes'] = id?.scopes ?? NONE;
  if (v.has('now')) vars['now'] = ruleClock(now());
  return vars;
}

/**
 * `now` as rules see it: a Date that converts itself to a time zone's wall clock fast. The CEL library reads a
 * timestamp in a zone as `new Date(d.toLocaleString('en-US', {timeZone}))` (a Date whose local fields are the
 * zone's wall time) on every accessor call: a new formatter and a date-string parse each time, 250–500 µs a
 * call on this machine. This Date answers that one call shape with the same instant as a number (what the
 * parse would give), from one cached `Intl.DateTimeFormat` per zone, kept for the second it describes:
 * a rule with two `getHours("Europe/Paris")` then costs a few µs (bench/cel-rule.mjs). Any other call is
 * the standard one. An own method on a plain Date, not a subclass: the library accepts Dates only.
 */
function ruleClock(ms: number): Date {
  const d = new Date(ms);
  d.toLocaleString = zonedWallClock as Date['toLocaleString'];
  return d;
}

function zonedWallClock(
  this: Date,
  locales?: Intl.LocalesArgument,
  options?: Intl.DateTimeFormatOptions,
): string | number {
  // This Date only ever reaches the CEL library, whose one call with a zone is exactly this shape.
  const zone = options?.timeZone;
  if (locales !== 'en-US' || zone === undefined)
    return Date.prototype.toLocaleString.call(this, locales, options);
  const second = Math.floor(this.getTime() / 1000);
  if (zone === last.zone && second === last.second) return last.local;
  return wallClock(zone, second);
}

/** The last conversion: a rule reads one zone, several times a request, many requests a second. */
const last = { zone: '', second: NaN, local: 0 };

/** Per zone: its formatter, and the last second converted with it. */
const zones = new Map<string, { format: Intl.DateTimeFormat; second: number; local: number }>();

/** The instant whose local-time fields are the wall clock in `zone` at `second` (epoch seconds). */
function wallClock(zone: string, second: number): number {
  let z = zones.get(zone);
  if (z === undefined) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    z = { format, second: NaN, local: 0 };
    // Zone names come from compiled rules only (checked then): the map holds as many as the rules name.
    zones.set(zone, z);
  }
  if (z.second !== second) {
    const f: Record<string, number> = {};
    for (const p of z.format.formatToParts(second * 1000))
      if (p.type !== 'literal') f[p.type] = Number(p.value);
    z.local = new Date(
      f['year'] ?? 0,
      (f['month'] ?? 1) - 1,
      f['day'],
      f['hour'],
      f['minute'],
      f['second'],
    ).getTime();
    z.second = second;
  }
  last.zone = zone;
  last.second = second;
  last.local = z.local;
  return z.local;
}

function asMap(v: unknown): Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : EMPTY;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** The query's parameters, the first value of each (a rule that wants all of them reads the path). */
function queryOf(url: string | undefined): Record<string, string> {
  // No prototype: a parameter named `__proto__` or `constructor` is a key like any other.
  const out = Object.create(null) as Record<string, string>;
  const q = url?.indexOf('?') ?? -1;
  if (url === undefined || q < 0) return out;
  for (const [k, val] of new URLSearchParams(url.slice(q + 1))) if (!Object.hasOwn(out, k)) out[k] = val;
  return out;
}
