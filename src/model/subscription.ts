import type { FromSchema } from 'json-schema-to-ts';
import { nameSchema, tagsSchema } from './common.js';

/** Where a subscription stands; the moves between them are src/control/subscription-rules.ts. */
export const SUBSCRIPTION_STATUSES = ['pending', 'approved', 'rejected', 'suspended', 'revoked'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** `app@service`: an app holds at most one subscription to a service. */
export function subscriptionKey(r: { app: string; service: string }): string {
  return `${r.app}@${r.service}`;
}

/**
 * An app's subscription to a service (an API product) under a plan. On a service with
 * `subscription_required`, only an app with an `approved` subscription gets through (403
 * `KW_ERR_NOT_SUBSCRIBED` otherwise), and the subscription's plan decides its limits on that service.
 * `status`, when not given on creation, follows the service's `approval` (`auto`: approved, `manual`:
 * pending); `decided_by` and `decided_at` are set by Keyway whenever the status changes.
 */
export const subscriptionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['app', 'service'],
  properties: {
    app: nameSchema,
    service: nameSchema,
    /** Limits on this service for this app (joins the key tier > subscription > app > consumer order). */
    plan: nameSchema,
    status: { enum: SUBSCRIPTION_STATUSES },
    /** Why it was rejected, suspended or revoked (shown to the caller's operator, never to the client). */
    reason: { type: 'string', maxLength: 1024 },
    /** The admin who last changed `status` (set by Keyway). */
    decided_by: { type: 'string', maxLength: 256 },
    /** When `status` last changed, ISO 8601 (set by Keyway). */
    decided_at: { type: 'string', maxLength: 64 },
    description: { type: 'string', maxLength: 1024 },
    tags: tagsSchema,
  },
} as const;

/** A subscription as the schema above has it. */
export type Subscription = FromSchema<typeof subscriptionSchema>;
