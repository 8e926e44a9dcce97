/**
 * What a caller may spend on AI, written the same way in an ai-proxy plugin config and in a plan's `ai`
 * section (docs/ai-budgets.md):
 *
 *   models: [smart, openai/*]          # allow-list: aliases, provider/model, provider/*
 *   by: [consumer]                     # what the counters are kept per (default: key)
 *   requests_per_minute: 600
 *   tokens_per_minute: 200000
 *   budgets: [{ usd: 500, period: month, time_zone: Europe/Paris, alert_at: 80 }]
 *
 * Nonsense is refused by the schema, so the admin API and `apply` answer with the field path: a zero or
 * negative limit, a budget of no dollars, an alert threshold outside 1–99 %, a time zone the runtime
 * does not know, an unknown `by` source.
 */
// Imported for its side effect: it registers the `iana-time-zone` format used below.
import './limit-schema.js';
import type { FromSchema } from 'json-schema-to-ts';

/** Sources an AI counter can be kept per: who is calling, never the request's route, IP or headers. */
export const AI_KEY_SOURCES = ['key', 'app', 'consumer', 'plan'] as const;
export type AiKeySource = (typeof AI_KEY_SOURCES)[number];

export const DEFAULT_ALERT_AT = 80;

/** Largest budget: a trillion micro-dollars is still far below 2^53, so sums stay exact integers. */
const MAX_USD = 1_000_000;

const bySchema = {
  type: 'array',
  minItems: 1,
  maxItems: 4,
  uniqueItems: true,
  items: { enum: AI_KEY_SOURCES },
  description: 'What the counter is kept per: key (default), app, consumer or plan.',
} as const;

const policyName = { type: 'string', pattern: '^[A-Za-z0-9._-]+$', maxLength: 64 } as const;

export const modelsSchema = {
  type: 'array',
  maxItems: 256,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, maxLength: 256 },
  description: 'Models the caller may use: aliases, provider/model, provider/* or *. Absent: all.',
} as const;

export const budgetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['usd', 'period'],
  properties: {
    /** Spend allowed per period, in US dollars (counted in whole micro-dollars). */
    usd: { type: 'number', exclusiveMinimum: 0, maximum: MAX_USD },
    period: { enum: ['day', 'month'] },
    /** IANA zone the period's calendar is read in (default UTC). */
    time_zone: { type: 'string', format: 'iana-time-zone', maxLength: 64 },
    /** Percent of the budget at which an alert fires, once per period and subject (default 80). */
    alert_at: { type: 'number', minimum: 1, maximum: 99 },
    /** What this budget is kept per; default the `by` of the section. */
    by: bySchema,
    /** Names the counter and the alert (default `<period>-<time_zone>`, e.g. `month-UTC`). */
    name: policyName,
  },
} as const;

export type BudgetSpec = FromSchema<typeof budgetSchema>;

/** The properties of an AI limits object (spread into the ai-proxy config and a plan's `ai`). */
export const aiLimitsProperties = {
  /** Models the caller may use: aliases, `provider/model`, `provider/*`, or `*`. Absent: all. */
  models: modelsSchema,
  /** What requests, tokens and budgets are counted per (default `[key]`). */
  by: bySchema,
  requests_per_minute: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
  tokens_per_minute: { type: 'integer', minimum: 1, maximum: 1_000_000_000_000 },
  /**
   * Whether admission counts the prompt's estimated tokens against `tokens_per_minute` (default true):
   * a call whose prompt alone exceeds what the bucket holds waits until it does, instead of running the
   * caller deep into debt.
   */
  count_prompt_tokens: { type: 'boolean' },
  budgets: { type: 'array', maxItems: 8, items: budgetSchema },
} as const;

export const aiLimitsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: aiLimitsProperties,
} as const;

export type AiLimits = FromSchema<typeof aiLimitsSchema>;
