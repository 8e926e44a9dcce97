/**
 * Rate-limit response headers, on refusals and on successful responses alike:
 *
 * - `RateLimit-Policy` and `RateLimit`, draft-ietf-httpapi-ratelimit-headers (-09 and later): each a
 *   Structured Fields List (RFC 9651) with one Item per policy, the Item a String naming the policy.
 *   Policy parameters: `q` quota units, `w` window in seconds. RateLimit parameters: `r` remaining,
 *   `t` seconds until more quota is available (-10: for a sliding window, until its oldest counted
 *   request leaves it; for a calendar quota, until the period ends). Example:
 *     RateLimit-Policy: "5-per-1s";q=5;w=1, "1000-per-day";q=1000;w=86400
 *     RateLimit: "5-per-1s";r=0;t=1, "1000-per-day";r=998;t=41520
 * - The widely used `X-RateLimit-Limit / -Remaining / -Reset` (seconds), for the most restrictive
 *   policy: the one with the fewest units left.
 * - `Retry-After` (RFC 9110 §10.2.3, delay-seconds) on 429.
 *
 * Several limit plugins can run on one request (rate-limit, quota): each adds its entries to the
 * request's report in the `limit` phase; whichever `respond` handler runs first writes them all.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestContext } from '../pipeline/context.js';
import type { LimitEntry } from '../pipeline/facts.js';

/** One Item of RateLimit-Policy: `"name";q=<limit>;w=<window seconds>`. */
export function policyItem(name: string, limit: number, windowS: number): string {
  return `"${name}";q=${limit};w=${windowS}`;
}

export function addEntry(ctx: RequestContext, entry: LimitEntry): void {
  if (ctx.limits === undefined) ctx.limits = [entry];
  else ctx.limits.push(entry);
}

/** The headers for the entries recorded so far (plus `extra`, the refusing one, if given). */
export function limitHeaders(ctx: RequestContext, extra?: LimitEntry): Record<string, string> {
  const recorded = ctx.limits ?? [];
  const all = extra === undefined ? recorded : [...recorded, extra];
  ctx.limitsWritten = true;
  const out: Record<string, string> = {};
  render(all, out);
  return out;
}

/** `respond` phase: puts the report on the upstream's response (once per request). */
export function writeLimitHeaders(ctx: RequestContext): void {
  const entries = ctx.limits;
  const headers: OutgoingHttpHeaders | undefined = ctx.response?.headers;
  if (entries === undefined || ctx.limitsWritten || headers === undefined) return;
  ctx.limitsWritten = true;
  render(entries, headers);
}

export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

/** Writes the headers of the entries not hidden into `out` (nothing when all are hidden). */
function render(entries: readonly LimitEntry[], out: OutgoingHttpHeaders): void {
  let policy = '';
  let state = '';
  let tightest: LimitEntry | undefined;
  let tightestRemaining = '';
  for (const e of entries) {
    if (e.hidden) continue;
    const sep = policy === '' ? '' : ', ';
    // With one entry (the usual case) this is the producer's own string ('' + s is s in V8): no
    // concatenation, and a string the header validation has already flattened.
    policy += sep + (e.policy ?? policyItem(e.name, e.limit, e.windowS));
    // Formatted once for both headers: a large limit's count is a fresh string every request.
    const remaining = String(e.remaining);
    state += `${sep}"${e.name}";r=${remaining};t=${e.resetS}`;
    if (
      tightest === undefined ||
      e.remaining < tightest.remaining ||
      (e.remaining === tightest.remaining && e.resetS > tightest.resetS)
    ) {
      tightest = e;
      tightestRemaining = remaining;
    }
  }
  if (tightest === undefined) return;
  out['ratelimit-policy'] = policy;
  out['ratelimit'] = state;
  out['x-ratelimit-limit'] = String(tightest.limit);
  out['x-ratelimit-remaining'] = tightestRemaining;
  out['x-ratelimit-reset'] = String(tightest.resetS);
}
