/**
 * The counter key of one limit for one request: `<workspace>:<limit id>:[<route id>:]<subject>`
 * (subject.ts). The usage API (usage.ts) reads counters back by the same function, `counterKeyOf`.
 *
 * Building a key costs four concatenations, a flatten and a fresh hash of a string of ~90 characters in
 * the counter map: 1.8 k of the 205 k instructions a request of bench `keyway-rate-limit` runs (callgrind,
 * the Keyway process after 8,000 requests of warm-up). An identity that serves every request of its
 * credential (`Identity.shared`: key-auth keeps one per key record) gets its keys remembered — by
 * identity, then by limit — for limits whose subject the identity alone decides (key, app, consumer).
 * Plan and route are not part of the memo: a plan subject is left out, and a per-route limit's memo
 * holds the route it was made for and is rebuilt when another route asks.
 */
import type { Identity } from '../pipeline/identity.js';
import type { KeySource } from '../model/limit-schema.js';
import { subjectOf, type SubjectSource } from './subject.js';

export interface KeyedLimit {
  id: string;
  /** Config limits: the counter is kept per route too. */
  perRoute: boolean;
  by: readonly KeySource[] | undefined;
  header: string | undefined;
  /** `identityKeyed(by)`, fixed when the limit is compiled. */
  identityKeyed: boolean;
}

interface Remembered {
  route: string;
  key: string;
}

const IDENTITY_SOURCES: ReadonlySet<KeySource> = new Set<KeySource>(['key', 'app', 'consumer']);

/** True when the identity alone decides the subject (the default `by` is `key`). */
export function identityKeyed(by: readonly KeySource[] | undefined): boolean {
  return by === undefined || by.every((s) => IDENTITY_SOURCES.has(s));
}

export class CounterKeys<L extends KeyedLimit> {
  readonly #prefix: string;
  readonly #memo = new WeakMap<Identity, Map<L, Remembered>>();

  /** `prefix` is the workspace with its colon. */
  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  key(ctx: SubjectSource, limit: L, plan: string | undefined): string {
    const id = ctx.identity;
    if (id?.shared !== true || !limit.identityKeyed) return this.#build(ctx, limit, plan);
    const route = limit.perRoute ? ctx.route.id : '';
    let byLimit = this.#memo.get(id);
    if (byLimit === undefined) {
      byLimit = new Map();
      this.#memo.set(id, byLimit);
    }
    const known = byLimit.get(limit);
    if (known !== undefined && known.route === route) return known.key;
    const key = this.#build(ctx, limit, plan);
    byLimit.set(limit, { route, key });
    return key;
  }

  #build(ctx: SubjectSource, limit: L, plan: string | undefined): string {
    return counterKeyOf(this.#prefix, limit, ctx, plan);
  }
}

/** The key, built: for the plugins' first request of an identity, and for the usage API's reads. */
export function counterKeyOf(
  prefix: string,
  limit: Omit<KeyedLimit, 'identityKeyed'>,
  src: SubjectSource,
  plan: string | undefined,
): string {
  const route = limit.perRoute ? `${src.route.id}:` : '';
  return `${prefix}${limit.id}:${route}${subjectOf(src, limit.by, limit.header, plan)}`;
}
