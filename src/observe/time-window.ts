/**
 * `--since 2h`, `since=30m`, `until=2024-05-01T03:12:00Z`: a duration back from now, or an ISO time.
 * Shared by the admin API and the CLI so the two read the same words the same way.
 */
import { KeywayError } from '../core/errors.js';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Epoch ms of `value`; durations count back from `now`. */
export function parseTime(value: string, field: string, now: number): number {
  const d = /^(\d{1,6})([smhdw])$/.exec(value.trim());
  if (d !== null) return now - Number(d[1]) * UNITS[d[2]];
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new KeywayError('KW_ERR_VALIDATION', {
      reason: `${field}: a duration such as 2h, 30m, 7d, or an ISO-8601 time`,
    });
  return t;
}

export function timeWindow(
  q: { since?: string; until?: string },
  now: number,
  defaultSince: string,
): { since: number; until: number } {
  const since = parseTime(q.since ?? defaultSince, 'since', now);
  const until = q.until === undefined || q.until === '' ? now + 1 : parseTime(q.until, 'until', now);
  if (since >= until) throw new KeywayError('KW_ERR_VALIDATION', { reason: 'since must be before until' });
  return { since, until };
}
