/**
 * `access-rules`: attribute rules in CEL (docs/access-control.md). Each rule is a condition over the
 * request (its country too, with a GeoIP database), the caller (consumer, app, plan, key, claims,
 * certificate, roles, scopes) and the clock, with an effect:
 * - `deny` rules: one that matches refuses the request (deny overrides every allow);
 * - `allow` rules: when the route has any for the method, one of them must match.
 * A rule that fails to evaluate (a missing map key, a bad value) fails closed: a deny rule counts as
 * matched, an allow rule as not. `mode: shadow` records what the rule would have refused and lets the
 * request through. Rules compile with the snapshot: a rule that does not parse or type-check refuses the
 * change, naming `/config/rules/<i>/when` and the line and column.
 *
 * The client gets 403 KW_ERR_ACCESS_DENIED and no rule name (rules describe policy); the call record and
 * `keyway explain` name the rule (`rule:<name>`) and why.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { nameSchema } from '../../model/common.js';
import { HTTP_METHODS } from '../../model/route.js';
import type { RequestContext } from '../../pipeline/context.js';
import { accessModeSchema, refuseAccess, type AccessMode } from '../../pipeline/decisions.js';
import { definePlugin, PluginConfigError } from '../../pipeline/plugin.js';
import { compileRule, type RuleEvaluator, type RuleVariable } from './cel-env.js';
import { buildActivation, type Needs } from './activation.js';

const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    rules: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'when'],
        properties: {
          name: nameSchema,
          when: { type: 'string', minLength: 1, maxLength: 4096, description: 'A CEL condition.' },
          effect: { enum: ['allow', 'deny'], default: 'deny' },
          mode: accessModeSchema,
          methods: {
            type: 'array',
            minItems: 1,
            maxItems: 16,
            uniqueItems: true,
            items: { enum: [...HTTP_METHODS] },
            description: 'Methods the rule applies to (absent: all).',
          },
        },
      },
    },
  },
} as const;

export type AccessRulesConfig = FromSchema<typeof configSchema>;

interface Rule {
  name: string;
  effect: 'allow' | 'deny';
  mode: AccessMode;
  methods: ReadonlySet<string> | undefined;
  evaluate: RuleEvaluator;
}

/** What evaluating a rule gave: true, false, or the error it stopped on (fails closed, see above). */
function run(rule: Rule, vars: Record<string, unknown>): boolean | string {
  try {
    const v = rule.evaluate(vars);
    return typeof v === 'boolean' ? v : `evaluated to a ${typeof v}, not a bool`;
  } catch (err) {
    const first = err instanceof Error ? (err.message.split('\n')[0] ?? '') : 'failed';
    return `evaluation error: ${first.slice(0, 200)}`;
  }
}

export const accessRules = definePlugin<AccessRulesConfig>({
  name: 'access-rules',
  description: 'Allows or denies requests by CEL conditions over the request, the caller and the time.',
  // Last of the access checks: after the address (900) and role (800) checks, which cost less.
  priority: 700,
  configSchema,
  create(config, env) {
    const rules: Rule[] = [];
    const vars = new Set<RuleVariable>();
    let headers = false;
    let query = false;
    let country = false;
    const names = new Set<string>();
    config.rules.forEach((r, i) => {
      if (names.has(r.name))
        throw new PluginConfigError(`/rules/${i}/name`, `rule "${r.name}" is named twice`);
      names.add(r.name);
      const compiled = compileRule(r.when);
      if (!compiled.ok)
        throw new PluginConfigError(`/rules/${i}/when`, `rule "${r.name}": ${compiled.message}`);
      for (const v of compiled.uses) vars.add(v);
      headers ||= /\bheaders\b/.test(r.when);
      query ||= /\bquery\b/.test(r.when);
      country ||= /\bcountry\b/.test(r.when);
      rules.push({
        name: r.name,
        effect: r.effect,
        mode: r.mode,
        methods: r.methods === undefined ? undefined : new Set(r.methods),
        evaluate: compiled.evaluate,
      });
    });
    const needs: Needs = { vars, headers, query, country };
    const geoip = env.services.geoip;
    const clock = env.services.now ?? Date.now;

    return {
      authorize(ctx: RequestContext) {
        const method = ctx.req.method ?? 'GET';
        const activation = buildActivation(ctx, needs, env.identities, clock, geoip);
        // Allow rules in force for this method, by mode; `matched` once one of them matches.
        let allowEnforced = false;
        let allowShadow = false;
        let matchedEnforced = false;
        let matchedShadow = false;
        const misses: string[] = [];
        for (const rule of rules) {
          if (rule.methods !== undefined && !rule.methods.has(method)) continue;
          const result = run(rule, activation);
          if (rule.effect === 'deny') {
            if (result === false) continue;
            const why =
              result === true ? `deny rule "${rule.name}" matched` : `deny rule "${rule.name}": ${result}`;
            refuseAccess(ctx, `rule:${rule.name}`, why, rule.mode, 'KW_ERR_ACCESS_DENIED');
            continue;
          }
          if (rule.mode === 'shadow') {
            allowShadow = true;
            matchedShadow ||= result === true;
          } else {
            allowEnforced = true;
            matchedEnforced ||= result === true;
          }
          if (typeof result === 'string') misses.push(`"${rule.name}": ${result}`);
        }
        if (allowEnforced && !matchedEnforced)
          refuseAccess(
            ctx,
            'rule:allow',
            noAllow(rules, method, 'enforce', misses),
            'enforce',
            'KW_ERR_ACCESS_DENIED',
          );
        if (allowShadow && !matchedShadow)
          refuseAccess(
            ctx,
            'rule:allow',
            noAllow(rules, method, 'shadow', misses),
            'shadow',
            'KW_ERR_ACCESS_DENIED',
          );
      },
    };
  },
});

function noAllow(
  rules: readonly Rule[],
  method: string,
  mode: AccessMode,
  misses: readonly string[],
): string {
  const names = rules
    .filter(
      (r) => r.effect === 'allow' && r.mode === mode && (r.methods === undefined || r.methods.has(method)),
    )
    .map((r) => `"${r.name}"`);
  const errors = misses.length === 0 ? '' : `; ${misses.join('; ')}`;
  return `no allow rule matched (${names.join(', ')})${errors}`;
}
