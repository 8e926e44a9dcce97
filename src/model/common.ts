/** Pieces shared by every resource schema. */

/** Names are what declarative files and references use: lowercase-friendly, URL-safe, stable. */
export const nameSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._~-]*$',
} as const;

export const tagsSchema = {
  type: 'array',
  maxItems: 32,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:/=-]+$' },
} as const;

/** Fields every stored resource has, managed by Keyway (never taken from input). */
export interface Meta {
  id: string;
  created_at: string;
  updated_at: string;
}

export type JsonSchema = Record<string, unknown>;

/**
 * Role names (consumer groups, app roles, a route's required roles): what a JWT claim may carry too, so
 * the same characters as a tag, and `:` for namespaced roles (`billing:admin`).
 */
export const roleNameSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9._:/=@-]+$',
} as const;

export const roleListSchema = {
  type: 'array',
  maxItems: 64,
  uniqueItems: true,
  items: roleNameSchema,
} as const;
