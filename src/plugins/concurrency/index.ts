/**
 * `concurrency`: at most `max` requests in flight per key (or app, consumer, IP…), from the config or the
 * caller's plan (`concurrency.max`). The slot is taken in the `limit` phase and given back when the
 * response closes — finished, failed or cut — so a slow upstream cannot leak slots. A node that dies
 * holding slots in Redis leaks them only until `ttl` (the counter's expiry).
 */
import type { FromSchema } from 'json-schema-to-ts';
import { KeywayError } from '../../core/errors.js';
import { durationMs } from '../../model/limit-schema.js';
import { GuardedCounters } from '../../limits/guarded-store.js';
import { planChooser, planOptionsSchema } from '../../limits/plugin-common.js';
import { subjectOf } from '../../limits/subject.js';
import { concurrencySchema } from '../../model/limit-schema.js';
import { definePlugin } from '../../pipeline/plugin.js';

const props = concurrencySchema.properties;

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    max: props.max,
    by: props.by,
    header: props.header,
    ttl: {
      type: 'string',
      pattern: '^[1-9][0-9]{0,9}(ms|s|m|h|d)$',
      default: '5m',
      description: 'Longest a slot is held if its release is lost (a node died).',
    },
    ...planOptionsSchema,
  },
  if: { required: ['by'], properties: { by: { contains: { const: 'header' } } } },
  then: { required: ['header'] },
} as const;

/** The config as `create` sees it (ajv has filled in the defaults). */
export type ConcurrencyConfig = FromSchema<typeof configSchema>;

export const concurrency = definePlugin<ConcurrencyConfig>({
  name: 'concurrency',
  description:
    'Limits requests in flight per key/app/consumer/IP/header, from the config or the caller’s plan.',
  priority: 80,
  configSchema,
  create(config, env) {
    const counters = new GuardedCounters(env.services, config.policy);
    const choose = planChooser(config, env);
    const ttlMs = durationMs(config.ttl);
    const prefix = `${env.workspace}:cc:`;

    return {
      async limit(ctx) {
        const plan = choose(ctx);
        const spec = plan?.concurrency;
        const max = config.max ?? spec?.max;
        if (max === undefined) return;
        const by = config.max !== undefined ? config.by : spec?.by;
        const header = config.max !== undefined ? config.header : spec?.header;
        const key = prefix + subjectOf(ctx, by, header, plan?.name);
        const { ok, store } = await counters.acquire(key, max, ttlMs);
        if (!ok) throw new KeywayError('KW_ERR_CONCURRENCY_LIMITED', {}, { headers: { 'retry-after': '1' } });
        // Given back to the store that granted it, even if Redis came back (or went) meanwhile.
        ctx.res.once('close', () => void store.release(key).catch(() => undefined));
      },
    };
  },
});
