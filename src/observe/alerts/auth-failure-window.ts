/**
 * Refused authentications per client IP and per credential id over the last minutes, counted in memory
 * from the records as the record buffer keeps them (the rollups have no IP dimension, and must not: one row per
 * attacker address would flood them). Per node; bounded by MAX_SUBJECTS per minute.
 */
import type { CallRecord } from '../records/call-record.js';

const MAX_SUBJECTS = 10_000;
const KEEP_MINUTES = 60;

export class AuthFailureWindow {
  /** minute start → "ip:1.2.3.4" / "credential:abc" → count */
  private readonly minutes = new Map<number, Map<string, number>>();

  add(batch: readonly CallRecord[]): void {
    for (const r of batch) this.note(r);
  }

  /** One call record (the record buffer's tap: every record, as it is kept). */
  note(r: Readonly<CallRecord>): void {
    if (r.auth !== 'denied') return;
    const minute = r.at - (r.at % 60_000);
    let m = this.minutes.get(minute);
    if (m === undefined) {
      this.minutes.set(minute, (m = new Map<string, number>()));
      this.prune(minute);
    }
    this.bump(m, `ip:${r.client_ip}`);
    if (r.credential !== null) this.bump(m, `credential:${r.credential}`);
  }

  /** Subjects of one kind with their failure counts over `[now - minutes, now]`. */
  counts(per: 'ip' | 'credential', minutes: number, now: number): Map<string, number> {
    const from = now - minutes * 60_000;
    const prefix = `${per}:`;
    const out = new Map<string, number>();
    for (const [minute, m] of this.minutes) {
      if (minute + 60_000 <= from || minute > now) continue;
      for (const [k, n] of m) {
        if (k.startsWith(prefix)) out.set(k.slice(prefix.length), (out.get(k.slice(prefix.length)) ?? 0) + n);
      }
    }
    return out;
  }

  private bump(m: Map<string, number>, k: string): void {
    const n = m.get(k);
    if (n !== undefined) m.set(k, n + 1);
    else if (m.size < MAX_SUBJECTS) m.set(k, 1);
  }

  private prune(latest: number): void {
    for (const minute of this.minutes.keys()) {
      if (minute < latest - KEEP_MINUTES * 60_000) this.minutes.delete(minute);
    }
  }
}
