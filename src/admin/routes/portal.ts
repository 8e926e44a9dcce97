/**
 * The developer portal seen from the admin API (docs/portal.md): its accounts, which an admin can disable
 * (every session of the account ends), and its outbox — the password-reset and verification messages the
 * portal writes when no mail server sends them. The outbox holds live links: the `portal` area is the super
 * admin's alone (permissions.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../route-context.js';
import { errorResponses } from '../schemas.js';

const developer = {
  type: 'object',
  required: ['id', 'email', 'name', 'consumer', 'password', 'email_verified', 'disabled', 'created_at'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    consumer: { type: 'string', description: 'Its consumer, in every workspace the portal publishes.' },
    password: { type: 'boolean', description: 'Signs in with a password (the hash is never shown).' },
    email_verified: { type: 'boolean' },
    oidc_issuer: { type: 'string' },
    disabled: { type: 'boolean' },
    created_at: { type: 'string' },
  },
} as const;

const message = {
  type: 'object',
  required: ['id', 'at', 'to_email', 'purpose', 'subject', 'body'],
  properties: {
    id: { type: 'integer' },
    at: { type: 'string' },
    to_email: { type: 'string' },
    purpose: { enum: ['reset', 'verify'] },
    subject: { type: 'string' },
    body: { type: 'string', description: 'The message, its link included: hand it to the developer only.' },
  },
} as const;

const list = (items: object) => ({
  type: 'object',
  required: ['data'],
  properties: { data: { type: 'array', items } },
});

export function portalRoutes(app: FastifyInstance, { deps, actor }: RouteContext): void {
  const tags = ['portal'];
  app.get(
    '/portal/developers',
    {
      config: { permission: { area: 'portal', action: 'read' } },
      schema: {
        tags,
        summary: 'List developer accounts of the portal',
        response: { 200: list(developer), ...errorResponses },
      },
    },
    async () => ({ data: await deps.store.portal.listDevelopers() }),
  );

  app.patch<{ Params: { id: string }; Body: { disabled: boolean } }>(
    '/portal/developers/:id',
    {
      config: { permission: { area: 'portal', action: 'write' } },
      schema: {
        tags,
        summary: 'Disable (or enable again) a developer account: a disabled one is signed out everywhere',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['disabled'],
          properties: { disabled: { type: 'boolean' } },
        },
        response: { 200: developer, ...errorResponses },
      },
    },
    async (req) => {
      const at = new Date((deps.now ?? Date.now)()).toISOString();
      const dev = await deps.store.portal.updateDeveloper(
        req.params.id,
        { disabled: req.body.disabled },
        actor(req).name,
        at,
      );
      if (dev.disabled) await deps.store.portal.deleteSessions(dev.id);
      return dev;
    },
  );

  app.get<{ Querystring: { to?: string; limit?: number } }>(
    '/portal/outbox',
    {
      config: { permission: { area: 'portal', action: 'read' } },
      schema: {
        tags,
        summary: "The portal's outbox: password-reset and verification messages, newest first",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            to: { type: 'string', maxLength: 254, description: 'Only messages to this email.' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 200: list(message), ...errorResponses },
      },
    },
    async (req) => ({
      data: await deps.store.portal.listOutbox({
        limit: req.query.limit ?? 100,
        ...(req.query.to === undefined ? {} : { to: req.query.to.trim().toLowerCase() }),
      }),
    }),
  );
}
