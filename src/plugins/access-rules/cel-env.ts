/**
 * The CEL environment attribute rules compile in (docs/access-control.md lists the variables), and the
 * compile step that turns a rule's text into an evaluator or a problem with its line and column.
 * `@marcbachmann/cel-js`: a maintained CEL implementation (macros, timestamps with time zones, type
 * checking), never a parser of our own. Compiled once per snapshot; an Environment is costly to build, so
 * one serves every rule of the node.
 */
import { createRequire } from 'node:module';
import type { Environment } from '@marcbachmann/cel-js';
import { AddressList, cidrProblems } from '../../core/cidr.js';

/** The variables a rule may read; what each holds is built per request by activation.ts. */
export const RULE_VARIABLES = [
  'request',
  'consumer',
  'app',
  'plan',
  'subscription',
  'key',
  'claims',
  'cert',
  'roles',
  'scopes',
  'now',
] as const;

export type RuleVariable = (typeof RULE_VARIABLES)[number];

let shared: Environment | undefined;

function environment(): Environment {
  if (shared !== undefined) return shared;
  // Loaded on the first rule, not at start: a node without rules does not carry the CEL library (7 MB of
  // idle RSS, measured by importing it into a bare node). The package is ESM without top-level await,
  // which Node 20.19+ loads through require.
  const cel = createRequire(import.meta.url)('@marcbachmann/cel-js') as typeof import('@marcbachmann/cel-js');
  shared = new cel.Environment({ limits: { maxAstNodes: 2000, maxDepth: 64 } })
    .registerVariable('request', 'map', { description: 'method, path, params, headers, query, ip, country' })
    .registerVariable('consumer', 'map', { description: 'id, username, custom_id, groups, tags, plan' })
    .registerVariable('app', 'map', { description: 'id, name, roles, tags, plan (empty without an app)' })
    .registerVariable('plan', 'string', { description: "the caller's plan name ('' for none)" })
    .registerVariable('subscription', 'map', {
      description: "service, status, plan of the app's subscription to the route's service (empty without)",
    })
    .registerVariable('key', 'map', { description: 'id, env, tier, metadata (empty unless key-auth)' })
    .registerVariable('claims', 'map', { description: 'JWT or introspection claims (empty otherwise)' })
    .registerVariable('cert', 'map', { description: 'subject, issuer, sans, fingerprint (empty without)' })
    .registerVariable('roles', 'list<string>', { description: 'roles the caller holds' })
    .registerVariable('scopes', 'list<string>', { description: 'scopes the caller holds' })
    .registerVariable('now', 'google.protobuf.Timestamp', { description: "the node's clock" })
    // `request.ip.inCidr("198.51.100.0/24")`: "only from the partner's network" in a rule. The blocks are
    // literals checked at compile time (badCidr below) and compiled once each.
    .registerFunction('string.inCidr(string): bool', (ip: string, block: string) =>
      addressList(block).has(ip),
    );
  return shared;
}

export type RuleEvaluator = (vars: Record<string, unknown>) => unknown;

export type Compiled =
  { ok: true; evaluate: RuleEvaluator; uses: ReadonlySet<RuleVariable> } | { ok: false; message: string };

interface CelError {
  message: string;
  range?: { start: number; end: number };
}

/** Line and column (1-based) of a character offset, for a rule written over several lines of YAML. */
export function position(source: string, offset: number): string {
  const before = source.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

function problem(source: string, err: CelError): string {
  const what = err.message.split('\n')[0] ?? 'invalid expression';
  return err.range === undefined ? what : `${what} (at ${position(source, err.range.start)})`;
}

/**
 * Time zone names given to the timestamp methods (`now.getHours("Europe/Paris")`) are checked here: the
 * library only finds a bad one when a request evaluates it.
 */
function badTimeZone(source: string): { at: number; zone: string } | undefined {
  for (const m of source.matchAll(/\.get[A-Za-z]+\(\s*(["'])([^"']*)\1\s*\)/g)) {
    const zone = m[2] ?? '';
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
    } catch {
      return { at: (m.index ?? 0) + m[0].indexOf(zone), zone };
    }
  }
  return undefined;
}

const blocks = new Map<string, AddressList>();

function addressList(block: string): AddressList {
  let list = blocks.get(block);
  if (list === undefined) {
    list = new AddressList([block]);
    // Literals of compiled rules only (a computed block is compiled each time it is seen, not kept).
    if (blocks.size < 10_000) blocks.set(block, list);
  }
  return list;
}

/** The first `inCidr("…")` literal that is not an address or CIDR block. */
function badCidr(source: string): { at: number; message: string } | undefined {
  for (const m of source.matchAll(/\.inCidr\(\s*(["'])([^"']*)\1\s*\)/g)) {
    const block = m[2] ?? '';
    const problem = cidrProblems([block])[0];
    if (problem !== undefined) return { at: (m.index ?? 0) + m[0].indexOf(block), message: problem.message };
  }
  return undefined;
}

/** Compiles one rule: a boolean CEL expression over RULE_VARIABLES. */
export function compileRule(source: string): Compiled {
  const env = environment();
  let evaluate: RuleEvaluator;
  try {
    evaluate = env.parse(source);
  } catch (err) {
    return { ok: false, message: problem(source, err as CelError) };
  }
  const checked = env.check(source);
  if (!checked.valid) return { ok: false, message: problem(source, checked.error as CelError) };
  if (checked.type !== 'bool' && checked.type !== 'dyn')
    return { ok: false, message: `must be a condition (a bool), not ${String(checked.type)}` };
  const zone = badTimeZone(source);
  if (zone !== undefined)
    return { ok: false, message: `unknown time zone "${zone.zone}" (at ${position(source, zone.at)})` };
  const cidr = badCidr(source);
  if (cidr !== undefined) return { ok: false, message: `${cidr.message} (at ${position(source, cidr.at)})` };
  // Which variables the rule reads, so a request builds only those (a rule on the path needs no headers).
  const uses = new Set<RuleVariable>(RULE_VARIABLES.filter((v) => new RegExp(`\\b${v}\\b`).test(source)));
  return { ok: true, evaluate, uses };
}
