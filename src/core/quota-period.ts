/**
 * Calendar periods for quotas: "1,000 per day" means per calendar day in the plan's time zone (IANA name,
 * resolved by Intl, so daylight-saving days of 23 or 25 hours are handled by the platform's tz database),
 * and the counter starts from zero at local midnight. A period is named by its local date (`2026-11-28`,
 * `2026-11`): every node computes the same name for the same instant, so Redis keys agree.
 *
 * Computing the period costs two Intl calls; it is cached per time zone until the period ends, so the
 * request path pays a comparison.
 */
export type CalendarUnit = 'day' | 'month';

export interface Period {
  id: string;
  startMs: number;
  endMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows the IANA zone (checked when a plan or plugin config is validated). */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

interface Local {
  y: number;
  m: number;
  d: number;
  h: number;
  min: number;
  s: number;
}

function local(ms: number, timeZone: string): Local {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    y: out['year'] ?? 1970,
    m: out['month'] ?? 1,
    d: out['day'] ?? 1,
    h: out['hour'] ?? 0,
    min: out['minute'] ?? 0,
    s: out['second'] ?? 0,
  };
}

/** Offset of the zone from UTC at instant `ms`, in ms (positive east of Greenwich). */
function offset(ms: number, timeZone: string): number {
  const l = local(ms, timeZone);
  const asUtc = Date.UTC(l.y, l.m - 1, l.d, l.h, l.min, l.s);
  return asUtc - (ms - (ms % 1000));
}

/** The instant of local midnight `y-m-d` in the zone (month and day may overflow, as with Date.UTC). */
function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const naive = Date.UTC(y, m - 1, d);
  // Two rounds settle the offset even when midnight sits next to a DST change.
  let guess = naive - offset(naive, timeZone);
  guess = naive - offset(guess, timeZone);
  return guess;
}

const pad = (n: number): string => String(n).padStart(2, '0');

export function calendarPeriod(unit: CalendarUnit, timeZone: string, nowMs: number): Period {
  const l = local(nowMs, timeZone);
  if (unit === 'day') {
    return {
      id: `${l.y}-${pad(l.m)}-${pad(l.d)}`,
      startMs: localMidnight(l.y, l.m, l.d, timeZone),
      endMs: localMidnight(l.y, l.m, l.d + 1, timeZone),
    };
  }
  return {
    id: `${l.y}-${pad(l.m)}`,
    startMs: localMidnight(l.y, l.m, 1, timeZone),
    endMs: localMidnight(l.y, l.m + 1, 1, timeZone),
  };
}

/** `calendarPeriod` with the answer kept until the period ends: what the request path calls. */
export class PeriodCache {
  readonly #cache = new Map<string, Period>();

  get(unit: CalendarUnit, timeZone: string, nowMs: number): Period {
    const k = `${unit}|${timeZone}`;
    const hit = this.#cache.get(k);
    if (hit !== undefined && nowMs >= hit.startMs && nowMs < hit.endMs) return hit;
    const p = calendarPeriod(unit, timeZone, nowMs);
    this.#cache.set(k, p);
    return p;
  }
}
