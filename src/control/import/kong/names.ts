/**
 * Kong's names and Keyway's differ a little: Kong consumer usernames, ACL groups and tags may hold any
 * character, Keyway's names (`A–Z a–z 0–9 . _ ~ -`, starting with a letter or digit), roles and tags do
 * not. Each is rewritten to the nearest allowed spelling, kept unique, and the rewrite is reported.
 */
import type { Path } from './input.js';
import type { ImportReport } from './report.js';

const NAME_MAX = 128;

/** Nearest Keyway name: other characters become `-`, a leading one that is not alphanumeric is dropped. */
export function keywayName(text: string): string {
  const out = text
    .replace(/[^A-Za-z0-9._~-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, NAME_MAX);
  return out === '' ? 'imported' : out;
}

/** Hands out unique Keyway names in one namespace (services, routes, consumers, apps…). */
export class NameSpace {
  private readonly taken = new Set<string>();

  constructor(private readonly report: ImportReport) {}

  /** A unique, valid name for `wanted` (or `fallback` when Kong gave none); reports a rewrite. */
  claim(wanted: string | undefined, fallback: string, path: Path, what: string): string {
    const base = keywayName(wanted ?? fallback);
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base.slice(0, NAME_MAX - 6)}-${i}`;
    this.taken.add(name);
    if (wanted !== undefined && name !== wanted)
      this.report.changed(path, what, `renamed to "${name}": Keyway names allow A-Z a-z 0-9 . _ ~ -`);
    return name;
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }
}

const TAG = /^[A-Za-z0-9._:/=-]{1,64}$/;
const ROLE = /^[A-Za-z0-9._:/=@-]+$/;

/** Kong tags as Keyway tags: rewritten characters, at most 32; reported when anything changed. */
export function keywayTags(
  tags: readonly string[],
  path: Path,
  what: string,
  report: ImportReport,
): string[] | undefined {
  if (tags.length === 0) return undefined;
  const out = [
    ...new Set(tags.map((t) => (TAG.test(t) ? t : t.replace(/[^A-Za-z0-9._:/=-]/g, '-').slice(0, 64)))),
  ]
    .filter((t) => t !== '' && t !== '-')
    .slice(0, 32);
  if (out.length !== tags.length || out.some((t, i) => t !== tags[i]))
    report.changed(
      path,
      what,
      'tags rewritten: Keyway tags allow A-Z a-z 0-9 . _ : / = - (≤ 64 characters, ≤ 32 tags)',
    );
  return out.length === 0 ? undefined : out;
}

/** A Kong ACL group as a Keyway role (consumer `groups`, `acl` roles). */
export function keywayRole(group: string): string {
  const role = ROLE.test(group) ? group : group.replace(/[^A-Za-z0-9._:/=@-]/g, '-');
  return role.slice(0, 128);
}
